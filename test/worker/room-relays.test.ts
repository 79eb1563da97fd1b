// The shard tree at depth 3 in workerd (room → relay shards → leaf shards → sockets), with two listeners a leaf and two
// children an object so a few listeners build it: exact counts, reactions both ways, moderation through two levels,
// the room's and a relay's eviction, and reconciliation when the objects under the room die (reconnects, the lease).
import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { listenerSample, type RoomState } from "../../worker/space/room-model.ts";
import { roomFor, type SpaceRoom } from "../../worker/space/space-room.ts";
import { shardFor, type SpaceShard } from "../../worker/space/space-shard.ts";
import { signup } from "./helpers.ts";
import { connect, liveSpace, type Person } from "./room-helpers.ts";
import { connectWith, SHARDS_ON } from "./shard-helpers.ts";
import { audioPath } from "./audio-helpers.ts";

/** From the fourth listener on, a region uses 4 leaf buckets: more than 2 children, so leaves go under relays. */
const RELAYS_ON = { ...SHARDS_ON, SHARD_CAPACITY: "2", SHARD_FANOUT: "2" };

const roomState = (room: SpaceRoom) => (room as unknown as { room: RoomState }).room;

/** The room's direct children: relays list their leaves. */
const roomChildren = (spaceId: string) =>
  runInDurableObject(roomFor(env, spaceId), (room: SpaceRoom) =>
    [...roomState(room).shards].map(([name, entry]) => ({ name, count: entry.count, leaves: entry.leaves ?? null })),
  );

/** What one shard object holds: open sockets and child shards. */
const shardView = (spaceId: string, name: string) =>
  runInDurableObject(shardFor(env, spaceId, name), (shard: SpaceShard, state) => ({
    sockets: state.getWebSockets().length,
    children: (shard as unknown as { children: { size: number } }).children.size,
  }));

const listenerCount = async (spaceId: string) => (await roomFor(env, spaceId).status())?.listenerCount;

/** Waits for a condition the tree reaches by itself (reports, leases): polled, never a fixed sleep. */
const until = (check: () => Promise<void>, timeout = 20_000) => vi.waitFor(check, { timeout, interval: 100 });

async function relayedRoom(listeners: number) {
  const { host, spaceId } = await liveSpace();
  const hostSocket = await connect(host, spaceId);
  const people = await Promise.all(Array.from({ length: listeners }, () => signup()));
  const sockets = [];
  for (const person of people) sockets.push(await connectWith(person, spaceId, RELAYS_ON));
  // Every leaf has moved under a relay, and every relay's report counts all of its leaves' listeners.
  await until(async () => {
    const children = await roomChildren(spaceId);
    expect(children.length).toBeGreaterThan(0);
    expect(children.every((c) => /-r\d+$/.test(c.name) && (c.leaves?.length ?? 0) > 0)).toBe(true);
    expect(children.reduce((sum, c) => sum + c.count, 0)).toBe(listeners);
    expect(await listenerCount(spaceId)).toBe(listeners + 1);
  });
  return { host, hostSocket, spaceId, people, sockets };
}

const relaysOf = async (spaceId: string) => (await roomChildren(spaceId)).map((c) => c.name);
const leavesOf = async (spaceId: string) => (await roomChildren(spaceId)).flatMap((c) => c.leaves ?? []);

describe("relay level of the shard tree", () => {
  it("puts leaves under relays once they outnumber the fan-out, counts exactly and carries reactions both ways", async () => {
    const { hostSocket, spaceId, people, sockets } = await relayedRoom(5);
    // Depth 3: relays hold leaves and no sockets; leaves hold the sockets.
    for (const relay of await relaysOf(spaceId)) expect(await shardView(spaceId, relay)).toMatchObject({ sockets: 0 });
    const leaves = await leavesOf(spaceId);
    const held = await Promise.all(leaves.map((leaf) => shardView(spaceId, leaf)));
    expect(held.reduce((sum, view) => sum + view.sockets, 0)).toBe(5);
    expect(held.every((view) => view.children === 0)).toBe(true);
    sockets[4]!.send({ type: "react", emoji: "🔥" });
    await hostSocket.next("reactions", (f) => f.counts["🔥"] === 1 && f.recent.some((r) => r.userId === people[4]!.id));
    hostSocket.send({ type: "react", emoji: "👏" });
    for (const socket of sockets) await socket.next("reactions", (f) => (f.counts["👏"] ?? 0) >= 1);
    // The audio routes find a listener under a relay without a join ticket.
    const session = await people[0]!.call("POST", audioPath(spaceId, "session"), {});
    expect(session.status).toBe(201);
    for (const person of people) expect(await roomFor(env, spaceId).getRoleOf(person.id)).toBe("listener");
  });

  it("approves a hand raised under a relay, and removes and blocks a listener through two levels", async () => {
    const { hostSocket, spaceId, people, sockets } = await relayedRoom(4);
    const [ana, ben] = people as [Person, Person];
    sockets[0]!.send({ type: "raise_hand" });
    await hostSocket.next("update", (f) => f.handsAdded?.some((h) => h.userId === ana.id) === true);
    hostSocket.send({ type: "approve", userId: ana.id });
    await sockets[0]!.next("update", (f) => f.you?.role === "speaker");
    await sockets[3]!.next("update", (f) => f.participants?.some((p) => p.userId === ana.id && p.role === "speaker") === true);
    expect(await roomFor(env, spaceId).getRoleOf(ana.id)).toBe("speaker");
    // The host knows ben only from the audience sample a relay merged from its leaves.
    await until(async () => {
      const sample = await runInDurableObject(roomFor(env, spaceId), (room: SpaceRoom) => listenerSample(roomState(room)));
      expect(sample.map((l) => l.userId)).toContain(ben.id);
    });
    hostSocket.send({ type: "remove", userId: ben.id, block: true });
    await sockets[1]!.next("removed", (f) => f.blocked);
    expect((await sockets[1]!.closed).code).toBe(4003);
    // The host, ana on stage (still counted on her leaf) and the two others.
    await until(async () => expect(await listenerCount(spaceId)).toBe(4));
    await expect(connectWith(ben, spaceId, RELAYS_ON)).rejects.toThrow(/403/);
  });

  it("keeps counting and reaching listeners under relays after the room is evicted, and after a relay is", async () => {
    const { host, spaceId, sockets } = await relayedRoom(4);
    await evictDurableObject(roomFor(env, spaceId), { webSockets: "close" });
    expect(await listenerCount(spaceId)).toBe(4);
    const hostAgain = await connect(host, spaceId);
    for (const relay of await relaysOf(spaceId)) await evictDurableObject(shardFor(env, spaceId, relay));
    hostAgain.send({ type: "pin", url: "https://example.com/after-relay-wake" });
    for (const socket of sockets) await socket.next("update", (f) => f.pin === "https://example.com/after-relay-wake");
    await until(async () => expect(await listenerCount(spaceId)).toBe(5));
  });

  it("when the leaves under a relay die their listeners reconnect and the count converges to the exact figure", async () => {
    const { spaceId, people, sockets } = await relayedRoom(4);
    for (const leaf of await leavesOf(spaceId)) await evictDurableObject(shardFor(env, spaceId, leaf), { webSockets: "close" });
    await Promise.all(sockets.map((s) => s.closed));
    // The client reconnects on a dropped socket; here the people do it themselves, with fresh join tokens.
    for (const person of people) await connectWith(person, spaceId, RELAYS_ON);
    await until(async () => {
      expect(await listenerCount(spaceId)).toBe(5);
      expect((await roomChildren(spaceId)).reduce((sum, c) => sum + c.count, 0)).toBe(4);
    });
  });

  it("ends the Space for every listener under a relay, and the relays and leaves forget it", async () => {
    const { hostSocket, spaceId, sockets } = await relayedRoom(4);
    const names = [...(await relaysOf(spaceId)), ...(await leavesOf(spaceId))];
    // Leaves that will not report again: the end can only reach their listeners down through the relays.
    for (const leaf of await leavesOf(spaceId)) await runInDurableObject(shardFor(env, spaceId, leaf), (_shard, state) => state.storage.deleteAlarm());
    hostSocket.send({ type: "end" });
    for (const socket of sockets) {
      await socket.next("ended");
      expect((await socket.closed).code).toBe(4000);
    }
    await until(async () => {
      for (const name of names) expect(await shardView(spaceId, name)).toEqual({ sockets: 0, children: 0 });
    });
  });

  it("stops counting a relay that falls silent once its lease runs out: no ghost listeners", async () => {
    const { spaceId, sockets } = await relayedRoom(4);
    const relays = await relaysOf(spaceId);
    for (const name of [...relays, ...(await leavesOf(spaceId))]) {
      const shard = shardFor(env, spaceId, name);
      // Objects that never come back: no renewal alarm, and the leaves' sockets gone with them.
      await runInDurableObject(shard, (_shard, state) => state.storage.deleteAlarm());
      await evictDurableObject(shard, { webSockets: "close" });
    }
    await Promise.all(sockets.map((s) => s.closed));
    await until(async () => {
      expect(await listenerCount(spaceId)).toBe(1);
      expect(await roomChildren(spaceId)).toEqual([]);
    });
  });
});
