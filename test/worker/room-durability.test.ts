// The room across eviction, restart, reconnect storms and time: state from DO storage, exact counts, alarms, D1 records.
import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { HOST_ABSENCE_MS, type RoomState } from "../../worker/space/room-model.ts";
import { roomFor, type SpaceRoom } from "../../worker/space/space-room.ts";
import { signup } from "./helpers.ts";
import { connect, liveSpace, type Person, type RoomSocket } from "./room-helpers.ts";

const roomState = (room: SpaceRoom) => (room as unknown as { room: RoomState }).room;

/** Sockets the room holds (each person's open connections), read inside the object. */
const openSockets = (spaceId: string) =>
  runInDurableObject(roomFor(env, spaceId), (room: SpaceRoom) =>
    [...roomState(room).people.values()].reduce((sum, person) => sum + person.connections.size, 0),
  );

/** Host, a listener with a raised hand (ana), a speaker muted by the host (ben), and a pin. */
async function busyRoom() {
  const { host, spaceId } = await liveSpace();
  const [ana, ben] = await Promise.all([signup(), signup()]);
  const hostSocket = await connect(host, spaceId);
  const anaSocket = await connect(ana, spaceId);
  const benSocket = await connect(ben, spaceId);
  hostSocket.send({ type: "pin", url: "https://example.com/notes" });
  anaSocket.send({ type: "raise_hand" });
  await anaSocket.next("update", (f) => f.you?.handRaised === true);
  // Each step waits for the room's answer, so ben unmutes only once on stage and the host's mute comes last.
  hostSocket.send({ type: "set_role", userId: ben.id, role: "speaker" });
  await benSocket.next("update", (f) => f.you?.role === "speaker");
  benSocket.send({ type: "unmute" });
  await benSocket.next("update", (f) => f.you?.muted === false);
  hostSocket.send({ type: "mute", userId: ben.id });
  await benSocket.next("update", (f) => f.you?.mutedBy === "moderator");
  return { host, ana, ben, spaceId, sockets: [hostSocket, anaSocket, benSocket] as RoomSocket[] };
}

function expectRestored(snapshot: Awaited<ReturnType<typeof connect>>["snapshot"], ben: Person) {
  expect(snapshot.pin).toBe("https://example.com/notes");
  expect(snapshot.participants.find((p) => p.userId === ben.id)).toMatchObject({ role: "speaker", muted: true, mutedBy: "moderator" });
}

describe("durability", () => {
  it("wakes from hibernation with sockets, roles, hands, mutes, pin and an exact count", async () => {
    const { host, ana, ben, spaceId, sockets } = await busyRoom();
    const roomStub = roomFor(env, spaceId);
    await evictDurableObject(roomStub);
    const carl = await connect(await signup(), spaceId);
    expectRestored(carl.snapshot, ben);
    expect(carl.snapshot.listenerCount).toBe(4);
    // The host's socket survived and still acts: approve ana from the queue kept in storage.
    sockets[0]!.send({ type: "approve", userId: ana.id });
    expect((await sockets[1]!.next("update", (f) => f.you?.role === "speaker")).you).toMatchObject({ handRaised: false });
    expect(await roomStub.getRoleOf(host.id)).toBe("host");
    // The room's list of all its sockets is rebuilt on the wake: a reaction reaches a socket that outlived the object.
    carl.send({ type: "react", emoji: "🔥" });
    expect((await sockets[2]!.next("reactions")).counts).toEqual({ "🔥": 1 });
  });

  it("restores state after a restart that dropped every socket; reconnects within 30 s keep role and hand", async () => {
    const { host, ana, ben, spaceId, sockets } = await busyRoom();
    const roomStub = roomFor(env, spaceId);
    await evictDurableObject(roomStub, { webSockets: "close" });
    await Promise.all(sockets.map((s) => s.closed));
    const hostAgain = await connect(host, spaceId);
    expectRestored(hostAgain.snapshot, ben);
    expect(hostAgain.snapshot.hands.map((h) => h.userId)).toEqual([ana.id]);
    expect(hostAgain.snapshot.participants.find((p) => p.userId === ben.id)?.connected).toBe(false);
    const anaAgain = await connect(ana, spaceId);
    expect(anaAgain.snapshot.you).toMatchObject({ role: "listener", handRaised: true });
    const benAgain = await connect(ben, spaceId);
    expect(benAgain.snapshot.you).toMatchObject({ role: "speaker", muted: true, mutedBy: "moderator" });
    expect(benAgain.snapshot.listenerCount).toBe(3);
    expect(await roomStub.status()).toMatchObject({ phase: "live", listenerCount: 3 });
  });

  it("keeps the listener count exact through a reconnect storm", async () => {
    const { host, spaceId } = await liveSpace();
    const people = await Promise.all(Array.from({ length: 4 }, () => signup()));
    await connect(host, spaceId);
    const count = async () => (await roomFor(env, spaceId).status())?.listenerCount;
    const closeAll = async (sockets: RoomSocket[]) => {
      const before = await openSockets(spaceId);
      for (const socket of sockets) socket.ws.close(1000, "storm");
      await Promise.all(sockets.map((s) => s.closed));
      // The client sees its close before the room has handled it: wait until the room has let go of every one.
      await vi.waitFor(async () => expect(await openSockets(spaceId)).toBe(before - sockets.length));
    };
    for (let round = 0; round < 3; round++) {
      // Everyone opens two sockets at once, then drops one of them, then the other.
      const opened = await Promise.all(people.flatMap((p) => [connect(p, spaceId), connect(p, spaceId)]));
      expect(await count()).toBe(5);
      await closeAll(opened.filter((_, i) => i % 2 === 0));
      expect(await count()).toBe(5);
      await closeAll(opened.filter((_, i) => i % 2 === 1));
      expect(await count()).toBe(1);
    }
  });

  it("ends the Space when the host has been gone for 5 minutes", async () => {
    const { host, spaceId } = await liveSpace();
    const hostId = host.id;
    const hostSocket = await connect(host, spaceId);
    const listenerSocket = await connect(await signup(), spaceId);
    hostSocket.ws.close(1000, "gone");
    await hostSocket.closed;
    const roomStub = roomFor(env, spaceId);
    // Once the room has handled the close, the host's absence started: move its start 5 minutes back.
    await vi.waitFor(() =>
      runInDurableObject(roomStub, (room: SpaceRoom) => {
        const host = roomState(room).people.get(hostId)!;
        expect(host.leftAt).not.toBeNull();
        host.leftAt! -= HOST_ABSENCE_MS;
      }),
    );
    await runDurableObjectAlarm(roomStub);
    expect(await listenerSocket.next("ended")).toEqual({ type: "ended", reason: "host_left" });
    const view = await host.call("GET", `/api/spaces/${spaceId}`);
    expect(view.json.space).toMatchObject({ state: "ended", peakListeners: 2 });
  });

  it("writes the listener count and a live speak-policy change to D1", async () => {
    const { host, spaceId } = await liveSpace();
    const hostSocket = await connect(host, spaceId);
    await connect(await signup(), spaceId);
    hostSocket.send({ type: "set_speak_policy", policy: "invited" });
    expect((await hostSocket.next("update", (f) => f.speakPolicy !== undefined)).speakPolicy).toBe("invited");
    await runDurableObjectAlarm(roomFor(env, spaceId));
    const view = await host.call("GET", `/api/spaces/${spaceId}`);
    expect(view.json.space).toMatchObject({ listenerCount: 2, speakPolicy: "invited" });
  });

  it("lets the audio side record a speaker's track and read roles over RPC", async () => {
    const { host, spaceId } = await liveSpace();
    const ana = await signup();
    const hostSocket = await connect(host, spaceId);
    await connect(ana, spaceId);
    const roomStub = roomFor(env, spaceId);
    expect(await roomStub.getRoleOf(ana.id)).toBe("listener");
    expect(await roomStub.getRoleOf("nobody")).toBeNull();
    expect(await roomStub.setTrack(ana.id, { sessionId: "s1", trackName: "mic" })).toEqual({ ok: false, code: "forbidden" });
    expect(await roomStub.setTrack(host.id, { sessionId: "s1", trackName: "mic" })).toEqual({ ok: true });
    const update = await hostSocket.next("update", (f) => f.participants !== undefined);
    expect(update.participants?.[0]).toMatchObject({ userId: host.id, track: { sessionId: "s1", trackName: "mic" } });
  });
});
