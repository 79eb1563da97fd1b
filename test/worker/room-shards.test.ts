// The shard tree in workerd: listener sockets held by SpaceShard objects under the room, exact counts, promotions and
// removals reaching a listener through their shard, and reconciliation when a shard dies (reconnects, the lease).
import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { listenerSample, type RoomState } from "../../worker/space/room-model.ts";
import { userTag } from "../../worker/space/room-sockets.ts";
import { roomFor, type SpaceRoom } from "../../worker/space/space-room.ts";
import { shardFor } from "../../worker/space/space-shard.ts";
import { client, signup } from "./helpers.ts";
import { connect, liveSpace, type Person } from "./room-helpers.ts";
import { connectWith, SHARDS_ON } from "./shard-helpers.ts";
import { audioPath } from "./audio-helpers.ts";

const roomState = (room: SpaceRoom) => (room as unknown as { room: RoomState }).room;

/** The room's view of its shards and of one person's sockets, read inside the object. */
const roomView = (spaceId: string, userId?: string) =>
  runInDurableObject(roomFor(env, spaceId), (room: SpaceRoom, state) => ({
    shards: [...roomState(room).shards].map(([name, entry]) => ({ name, count: entry.count })),
    ownSockets: userId ? state.getWebSockets(userTag(userId)).length : 0,
    allOwnSockets: state.getWebSockets().length,
  }));

const listenerCount = async (spaceId: string) => (await roomFor(env, spaceId).status())?.listenerCount;

/** Waits for a condition the room reaches by itself (reports, leases): polled, never a fixed sleep. */
const until = (check: () => Promise<void>, timeout = 15_000) => vi.waitFor(check, { timeout, interval: 100 });

async function shardedRoom(listeners: number) {
  const { host, spaceId } = await liveSpace();
  const hostSocket = await connect(host, spaceId);
  const people = await Promise.all(Array.from({ length: listeners }, () => signup()));
  const sockets = [];
  for (const person of people) sockets.push(await connectWith(person, spaceId, SHARDS_ON));
  return { host, hostSocket, spaceId, people, sockets };
}

describe("shard tree", () => {
  it("keeps every socket in the room while shards are off (the default)", async () => {
    const { host, spaceId } = await liveSpace();
    await connect(host, spaceId);
    const ana = await signup();
    await connect(ana, spaceId);
    const view = await roomView(spaceId, ana.id);
    expect(view.shards).toEqual([]);
    expect(view.ownSockets).toBe(1);
  });

  it("hands listeners to a shard above the threshold, counts them exactly and relays reactions both ways", async () => {
    const { host, hostSocket, spaceId, people, sockets } = await shardedRoom(3);
    const view = await roomView(spaceId, people[0]!.id);
    expect(view.ownSockets).toBe(0);
    expect(view.shards.length).toBeGreaterThan(0);
    expect((await roomView(spaceId, host.id)).ownSockets).toBe(1);
    expect(sockets[2]!.snapshot.listenerCount).toBe(4);
    await until(async () => {
      const shards = (await roomView(spaceId)).shards;
      expect(shards.reduce((sum, s) => sum + s.count, 0)).toBe(3);
      expect(await listenerCount(spaceId)).toBe(4);
    });
    // A listener on a shard reacts: the host (in the room) sees it; the host reacts: every listener on the shard sees it.
    sockets[0]!.send({ type: "react", emoji: "🔥" });
    await hostSocket.next("reactions", (f) => f.counts["🔥"] === 1 && f.recent.some((r) => r.userId === people[0]!.id));
    hostSocket.send({ type: "react", emoji: "👏" });
    for (const socket of sockets) await socket.next("reactions", (f) => (f.counts["👏"] ?? 0) >= 1);
  });

  it("lets a listener on a shard start and use audio: the room finds them on their shard", async () => {
    const { spaceId, people } = await shardedRoom(2);
    // No join ticket: the room must tell by itself that they are in (as when the audio reconnects later).
    const session = await people[1]!.call("POST", audioPath(spaceId, "session"), {});
    expect(session.status).toBe(201);
    expect(await roomFor(env, spaceId).getRoleOf(people[0]!.id)).toBe("listener");
    const outsider = await signup();
    const refused = await outsider.call("POST", audioPath(spaceId, "session"), {});
    expect([refused.status, refused.json.error.code]).toEqual([403, "not_in_room"]);
  });

  it("promotes a listener who sits on a shard, and removes one through their shard", async () => {
    const { hostSocket, spaceId, people, sockets } = await shardedRoom(2);
    const [ana, ben] = people as [Person, Person];
    sockets[0]!.send({ type: "raise_hand" });
    await sockets[0]!.next("update", (f) => f.you?.handRaised === true);
    await hostSocket.next("update", (f) => f.handsAdded?.some((h) => h.userId === ana.id) === true);
    hostSocket.send({ type: "approve", userId: ana.id });
    await sockets[0]!.next("update", (f) => f.you?.role === "speaker");
    await sockets[1]!.next("update", (f) => f.participants?.some((p) => p.userId === ana.id && p.role === "speaker") === true);
    expect(await roomFor(env, spaceId).getRoleOf(ana.id)).toBe("speaker");
    // ben never sent the room anything: the host reaches him from the audience sample his shard reported.
    await until(async () => {
      const sample = await runInDurableObject(roomFor(env, spaceId), (room: SpaceRoom) => listenerSample(roomState(room)));
      expect(sample.map((l) => l.userId)).toContain(ben.id);
    });
    hostSocket.send({ type: "remove", userId: ben.id, block: true });
    await sockets[1]!.next("removed", (f) => f.blocked);
    expect((await sockets[1]!.closed).code).toBe(4003);
    await until(async () => expect(await listenerCount(spaceId)).toBe(2));
  });

  it("keeps the room's rules on a shard: a guest only listens, a listener gets one rate_limited per burst", async () => {
    const { spaceId, sockets } = await shardedRoom(1);
    const guest = await connectWith(client(), spaceId, SHARDS_ON);
    // Only the host's socket is the room's own: the guest, like the listener, sits on a shard.
    expect((await roomView(spaceId)).allOwnSockets).toBe(1);
    guest.send({ type: "react", emoji: "🔥" });
    expect((await guest.next("error")).code).toBe("sign_up_required");
    guest.send({ type: "raise_hand" });
    expect((await guest.next("error")).code).toBe("sign_up_required");
    for (let i = 0; i < 8; i++) sockets[0]!.send({ type: "react", emoji: "👏" });
    expect((await sockets[0]!.next("error")).code).toBe("rate_limited");
    const errors = (await sockets[0]!.drain()).filter((f) => f.type === "error");
    expect(errors).toEqual([]);
  });

  it("keeps counting and reaching a shard's listeners after the room itself is evicted", async () => {
    const { host, spaceId, sockets } = await shardedRoom(2);
    await until(async () => expect(await listenerCount(spaceId)).toBe(3));
    await evictDurableObject(roomFor(env, spaceId), { webSockets: "close" });
    // The room's own sockets went with it (the host's); the shard's did not, and the room knows the shard from storage.
    expect(await listenerCount(spaceId)).toBe(2);
    const hostAgain = await connect(host, spaceId);
    expect(hostAgain.snapshot.listenerCount).toBe(3);
    hostAgain.send({ type: "pin", url: "https://example.com/after-wake" });
    for (const socket of sockets) await socket.next("update", (f) => f.pin === "https://example.com/after-wake");
  });

  it("when a shard dies its listeners reconnect and the count converges to the exact figure", async () => {
    const { spaceId, people, sockets } = await shardedRoom(3);
    await until(async () => expect(await listenerCount(spaceId)).toBe(4));
    const names = (await roomView(spaceId)).shards.map((s) => s.name);
    for (const name of names) await evictDurableObject(shardFor(env, spaceId, name), { webSockets: "close" });
    await Promise.all(sockets.map((s) => s.closed));
    // The client reconnects on a dropped socket; here the people do it themselves, with fresh join tokens.
    for (const person of people) await connectWith(person, spaceId, SHARDS_ON);
    await until(async () => {
      expect(await listenerCount(spaceId)).toBe(4);
      expect((await roomView(spaceId)).shards.reduce((sum, s) => sum + s.count, 0)).toBe(3);
    });
  });

  it("stops counting a shard that falls silent once its lease runs out: no ghost listeners", async () => {
    const { spaceId, sockets } = await shardedRoom(2);
    await until(async () => expect(await listenerCount(spaceId)).toBe(3));
    const names = (await roomView(spaceId)).shards.map((s) => s.name);
    for (const name of names) {
      const shard = shardFor(env, spaceId, name);
      // A shard that never comes back: no renewal alarm, and its sockets gone with it.
      await runInDurableObject(shard, (_shard, state) => state.storage.deleteAlarm());
      await evictDurableObject(shard, { webSockets: "close" });
    }
    await Promise.all(sockets.map((s) => s.closed));
    await until(async () => {
      expect(await listenerCount(spaceId)).toBe(1);
      expect((await roomView(spaceId)).shards).toEqual([]);
    });
  });
});
