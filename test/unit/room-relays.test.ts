// The relay level of the shard tree, pure: when leaves go under relays, moving a region's direct leaves there with
// their counts, relays' reports speaking per leaf, and a relay's lease taking the people under it out.
import { describe, expect, it } from "vitest";
import type { ListenerEntry } from "../../worker/protocol/room.ts";
import { shardFanout } from "../../worker/settings.ts";
import { knownLeaves, relayFor } from "../../worker/space/room-relays.ts";
import { bucketsFor, shardRoute, shardsThatMayHold, type ShardReport } from "../../worker/space/room-shards.ts";
import { identity, RoomFixture, T0 } from "./support/room-fixture.ts";

const LEASE = 2000;
const entry = (userId: string): ListenerEntry => ({ userId, handle: `h_${userId}`, displayName: `Name ${userId}` });
const report = (count: number, sentAt: number, leaves?: Record<string, string[]>, sample: ListenerEntry[] = []): ShardReport => ({
  count, sample, present: [], sentAt, leaseMs: LEASE, ...(leaves ? { leaves } : {}),
});

function roomWithHost() {
  const room = new RoomFixture();
  room.connect("H");
  return room;
}

const admit = (room: RoomFixture, userId: string, shard: string, parent: string | null, fanout = 2) =>
  room.run({ kind: "shard_admit", identity: identity(userId), shard, leaseMs: LEASE, parent, fanout });

describe("relay placement", () => {
  it("reads SHARD_FANOUT: children per object, 99 unless set, off for no relays", () => {
    expect(shardFanout({})).toBe(99);
    expect(shardFanout({ SHARD_FANOUT: "2" })).toBe(2);
    expect(shardFanout({ SHARD_FANOUT: "off" })).toBeNull();
    expect(shardFanout({ SHARD_FANOUT: "0" })).toBe(99);
    expect(shardFanout({ SHARD_FANOUT: "many" })).toBe(99);
  });

  it("keeps leaves under the room up to the fan-out, then puts leaf n under relay n / fan-out", () => {
    const room = roomWithHost();
    expect(relayFor(room.state, "weur-3", 2, 2)).toBeNull();
    expect(relayFor(room.state, "weur-3", 4, 2)).toBe("weur-r1");
    expect(relayFor(room.state, "weur-3", 4, null)).toBeNull();
    // Once a region has relays it keeps them, even when fewer buckets are in use again.
    admit(room, "A", "weur-0", "weur-r0");
    expect(relayFor(room.state, "weur-1", 1, 2)).toBe("weur-r0");
    expect(relayFor(room.state, "enam-1", 1, 2)).toBeNull();
  });

  it("moves a region's direct leaves under their relays with their counts when relays switch on", () => {
    const room = roomWithHost();
    admit(room, "A", "weur-0", null);
    admit(room, "B", "weur-1", null);
    room.run({ kind: "shard_report", shard: "weur-1", report: { ...report(3, T0), present: [] } });
    expect(room.state.listenerCount).toBe(5);
    const effects = admit(room, "C", "weur-2", "weur-r1");
    expect([...room.state.shards.keys()].sort()).toEqual(["weur-r0", "weur-r1"]);
    expect(room.state.shards.get("weur-r0")).toMatchObject({ count: 4, leaves: ["weur-0", "weur-1"] });
    expect(room.state.shards.get("weur-r1")).toMatchObject({ count: 1, leaves: ["weur-2"] });
    expect(room.state.listenerCount).toBe(6);
    expect(effects).toContainEqual({ kind: "adopt", relay: "weur-r0", leaf: "weur-1", leaseMs: LEASE, reparent: true });
    expect(effects).toContainEqual({ kind: "adopt", relay: "weur-r1", leaf: "weur-2", leaseMs: LEASE, reparent: false });
    // A moved leaf's own report no longer counts: it reports through its relay.
    room.run({ kind: "shard_report", shard: "weur-1", report: { ...report(9, T0 + 1), present: [] } });
    expect(room.state.listenerCount).toBe(6);
    expect(knownLeaves(room.state)).toEqual(new Set(["weur-0", "weur-1", "weur-2"]));
  });

  it("finds every listener, on leaves under relays as the room grew, among a few names it may be on", () => {
    const room = roomWithHost();
    const placement = { threshold: 1, capacity: 2, region: "weur" };
    const sentTo = new Map<string, string>();
    for (let i = 0; i < 30; i++) {
      const userId = `user-${i}`;
      const shard = shardRoute(room.state, userId, placement)!;
      const parent = relayFor(room.state, shard, bucketsFor(room.state, placement.capacity), 2);
      sentTo.set(userId, shard);
      admit(room, userId, shard, parent);
    }
    expect([...room.state.shards.keys()].every((name) => /^weur-r\d+$/.test(name))).toBe(true);
    for (const [userId, shard] of sentTo) {
      const candidates = shardsThatMayHold(room.state, userId, "weur");
      expect(candidates).toContain(shard);
      expect(candidates.length).toBeLessThanOrEqual(6);
    }
  });
});

describe("relay reports", () => {
  it("takes a relay's figure as its count and follows the people on each leaf under it", () => {
    const room = roomWithHost();
    admit(room, "A", "weur-0", "weur-r0");
    room.run({ kind: "shard_frame", shard: "weur-1", identity: identity("B"), message: { type: "raise_hand" } });
    expect(room.person("B").via).toBe("weur-1");
    room.run({ kind: "shard_report", shard: "weur-r0", report: report(7, T0 + 1, { "weur-0": [], "weur-1": ["B"] }) });
    expect(room.state.listenerCount).toBe(8);
    expect(room.state.shards.get("weur-r0")!.leaves).toEqual(["weur-0", "weur-1"]);
    expect(room.person("B").leftAt).toBeNull();
    // B's leaf no longer lists them: their grace period starts; listed again, they are back through that leaf.
    room.run({ kind: "shard_report", shard: "weur-r0", report: report(6, T0 + 2, { "weur-0": [], "weur-1": [] }) });
    expect(room.person("B")).toMatchObject({ leftAt: T0, via: null });
    room.run({ kind: "shard_report", shard: "weur-r0", report: report(7, T0 + 3, { "weur-1": ["B"] }) });
    expect(room.person("B")).toMatchObject({ leftAt: null, via: "weur-1" });
  });

  it("tells a person reached again what changed for them while a relay's stale report had them away", () => {
    const room = roomWithHost();
    admit(room, "A", "weur-0", "weur-r0");
    room.run({ kind: "shard_frame", shard: "weur-1", identity: identity("B"), message: { type: "raise_hand" } });
    // The relay's report was made before weur-1 listed B: the room starts B's grace and has no route to them.
    room.run({ kind: "shard_report", shard: "weur-r0", report: report(1, T0 + 1, { "weur-0": [], "weur-1": [] }) });
    expect(room.person("B").via).toBeNull();
    room.frame("H", { type: "approve", userId: "B" });
    expect(room.person("B").role).toBe("speaker");
    // Listed again, B gets their own state (now a speaker) through their leaf, not only the stage's update.
    const effects = room.run({ kind: "shard_report", shard: "weur-r0", report: report(2, T0 + 2, { "weur-1": ["B"] }) });
    expect(effects).toContainEqual({ kind: "send", userId: "B", message: { type: "update", you: expect.objectContaining({ userId: "B", role: "speaker" }) } });
  });

  it("removes a listener known only from a relay's sample through that relay", () => {
    const room = roomWithHost();
    room.run({ kind: "shard_report", shard: "weur-r0", report: report(1, T0, { "weur-0": [] }, [entry("B")]) });
    const effects = room.frame("H", { type: "remove", userId: "B", block: true });
    expect(effects).toContainEqual({ kind: "remove", userId: "B", blocked: true, via: "weur-r0" });
  });

  it("stops counting a silent relay after its lease, and starts the grace of everyone reached under it", () => {
    const room = roomWithHost();
    room.run({ kind: "shard_frame", shard: "weur-1", identity: identity("B"), message: { type: "raise_hand" } });
    room.run({ kind: "shard_report", shard: "weur-r0", report: report(3, T0, { "weur-1": ["B"] }) });
    expect(room.state.listenerCount).toBe(4);
    room.now = T0 + LEASE;
    room.run({ kind: "tick" });
    expect(room.state.listenerCount).toBe(1);
    expect(room.state.shards.size).toBe(0);
    expect(room.person("B")).toMatchObject({ leftAt: T0 + LEASE, via: null });
  });
});
