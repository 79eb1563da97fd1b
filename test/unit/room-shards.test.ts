// The room's side of the shard tree, pure: admission routes, leased count reports, frames and removals through a shard,
// and lease expiry taking a silent shard's listeners (and the people reached through it) out.
import { describe, expect, it } from "vitest";
import type { ListenerEntry } from "../../worker/protocol/room.ts";
import { nextDeadline } from "../../worker/space/room-state.ts";
import { shardRoute, shardsThatMayHold, type ShardReport } from "../../worker/space/room-shards.ts";
import { identity, RoomFixture, T0 } from "./support/room-fixture.ts";

const LEASE = 2000;
const placement = { threshold: 2, capacity: 1000, region: "weur" };
const entry = (userId: string): ListenerEntry => ({ userId, handle: `h_${userId}`, displayName: `Name ${userId}` });
const report = (count: number, sentAt: number, present: string[] = [], sample: ListenerEntry[] = []): ShardReport => ({
  count, sample, present, sentAt, leaseMs: LEASE,
});

function roomWithHost() {
  const room = new RoomFixture();
  room.connect("H");
  return room;
}

describe("shard routes", () => {
  it("keeps the host, remembered people and small rooms in the room; sends plain listeners to a shard above the threshold", () => {
    const room = roomWithHost();
    expect(shardRoute(room.state, "H", placement)).toBeNull();
    expect(shardRoute(room.state, "A", placement)).toBeNull();
    room.connect("A");
    expect(shardRoute(room.state, "B", placement)).toMatch(/^weur-\d+$/);
    expect(shardRoute(room.state, "B", { ...placement, threshold: null })).toBeNull();
    // The same person always gets the same shard (a second tab joins them there).
    expect(shardRoute(room.state, "B", placement)).toBe(shardRoute(room.state, "B", placement));
  });
});

describe("finding a listener's shard", () => {
  it("lists, among a few names, the shard every listener was sent to while the room grew", () => {
    const room = roomWithHost();
    const small = { threshold: 1, capacity: 3, region: "weur" };
    const sentTo = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      const userId = `user-${i}`;
      const shard = shardRoute(room.state, userId, i % 2 ? small : { ...small, region: "enam" })!;
      sentTo.set(userId, shard);
      room.run({ kind: "shard_admit", identity: identity(userId), shard, leaseMs: LEASE });
    }
    expect(new Set(sentTo.values()).size).toBeGreaterThan(4);
    for (const [userId, shard] of sentTo) {
      const candidates = shardsThatMayHold(room.state, userId, shard.split("-")[0]!);
      expect(candidates).toContain(shard);
      expect(candidates[0]!.split("-")[0]).toBe(shard.split("-")[0]);
      expect(candidates.length).toBeLessThanOrEqual(10);
    }
    expect(shardsThatMayHold(new RoomFixture().state, "user-1", "weur")).toEqual([]);
  });
});

describe("shard counts", () => {
  it("counts an admitted listener at once, then takes each report's figure as the shard's count", () => {
    const room = roomWithHost();
    const effects = room.run({ kind: "shard_admit", identity: identity("B"), shard: "weur-0", leaseMs: LEASE });
    expect(room.state.listenerCount).toBe(2);
    expect(effects).toContainEqual({ kind: "reply", message: expect.objectContaining({ type: "snapshot", listenerCount: 2 }) });
    expect(room.state.people.has("B")).toBe(false);
    room.run({ kind: "shard_report", shard: "weur-0", report: report(5, T0 + 1) });
    expect(room.state.listenerCount).toBe(6);
    expect(room.state.peakListeners).toBe(6);
    // An older report arriving late changes nothing.
    room.run({ kind: "shard_report", shard: "weur-0", report: report(1, T0) });
    expect(room.state.listenerCount).toBe(6);
    room.run({ kind: "shard_report", shard: "weur-0", report: report(3, T0 + 2) });
    expect(room.state.listenerCount).toBe(4);
  });

  it("stops counting a shard whose lease ran out, and drives the alarm by the lease", () => {
    const room = roomWithHost();
    room.run({ kind: "shard_report", shard: "weur-0", report: report(4, T0) });
    expect(nextDeadline(room.state)).toBe(T0 + LEASE);
    room.now = T0 + LEASE - 1;
    room.run({ kind: "tick" });
    expect(room.state.listenerCount).toBe(5);
    room.now = T0 + LEASE;
    const effects = room.run({ kind: "tick" });
    expect(room.state.listenerCount).toBe(1);
    expect(room.state.shards.size).toBe(0);
    expect(effects).toContainEqual({ kind: "count" });
  });

  it("adds the shards' sample to the audience after the room's own listeners", () => {
    const room = roomWithHost();
    room.connect("A");
    room.run({ kind: "shard_report", shard: "weur-0", report: report(2, T0, [], [entry("B"), entry("C")]) });
    const snapshot = room.run({ kind: "connect", identity: identity("D"), connectionId: "d1" }).find((e) => e.kind === "reply");
    expect(snapshot?.kind === "reply" && snapshot.message.type === "snapshot" && snapshot.message.listeners?.map((l) => l.userId)).toEqual(["A", "D", "B", "C"]);
  });
});

describe("people reached through a shard", () => {
  it("raises a hand from a shard; the room remembers the route and sends the person's frames through it", () => {
    const room = roomWithHost();
    room.run({ kind: "shard_report", shard: "weur-0", report: report(1, T0) });
    const effects = room.run({ kind: "shard_frame", shard: "weur-0", identity: identity("B"), message: { type: "raise_hand" } });
    expect(room.person("B").via).toBe("weur-0");
    expect(room.state.hands).toEqual(["B"]);
    expect(effects).toContainEqual({ kind: "send", userId: "B", message: { type: "update", you: expect.objectContaining({ handRaised: true }) } });
    // Counted by the shard only: the room's figure does not move.
    expect(room.state.listenerCount).toBe(2);
    room.frame("H", { type: "approve", userId: "B" });
    expect(room.person("B").role).toBe("speaker");
  });

  it("starts the grace period of someone their shard no longer lists, and of everyone on a shard whose lease ran out", () => {
    const room = roomWithHost();
    room.run({ kind: "shard_frame", shard: "weur-0", identity: identity("B"), message: { type: "raise_hand" } });
    room.run({ kind: "shard_report", shard: "weur-0", report: report(1, T0 + 1, ["B"]) });
    expect(room.person("B").leftAt).toBeNull();
    room.run({ kind: "shard_report", shard: "weur-0", report: report(0, T0 + 2, []) });
    expect(room.person("B")).toMatchObject({ leftAt: T0, via: null });
    // Back on the shard (it lists them again): reachable through it, grace over.
    room.run({ kind: "shard_report", shard: "weur-0", report: report(1, T0 + 3, ["B"]) });
    expect(room.person("B")).toMatchObject({ leftAt: null, via: "weur-0" });
    room.now = T0 + LEASE;
    room.run({ kind: "tick" });
    expect(room.person("B")).toMatchObject({ leftAt: T0 + LEASE, via: null });
  });

  it("lets a host remove a listener known only from a shard's sample, through that shard", () => {
    const room = roomWithHost();
    room.run({ kind: "shard_report", shard: "weur-0", report: report(1, T0, [], [entry("B")]) });
    const effects = room.frame("H", { type: "remove", userId: "B", block: true });
    expect(effects).toContainEqual({ kind: "remove", userId: "B", blocked: true, via: "weur-0" });
    expect(room.state.blocked.has("B")).toBe(true);
    expect(room.state.listenerCount).toBe(2);
    const again = room.run({ kind: "shard_admit", identity: identity("B"), shard: "weur-0", leaseMs: LEASE });
    expect(room.errors(again)).toEqual(["blocked"]);
  });

  it("passes a shard's reactions on while live", () => {
    const room = roomWithHost();
    const recent = [{ userId: "B", handle: "h_B", emoji: "🔥" as const }];
    expect(room.run({ kind: "shard_reactions", shard: "weur-0", counts: { "🔥": 3 }, recent })).toEqual([
      { kind: "react_batch", counts: { "🔥": 3 }, recent },
    ]);
    room.frame("H", { type: "end" });
    expect(room.run({ kind: "shard_reactions", shard: "weur-0", counts: { "🔥": 1 }, recent })).toEqual([]);
  });
});
