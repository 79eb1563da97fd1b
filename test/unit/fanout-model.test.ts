// The fan-out simulation's arithmetic (bench/fanout-model.ts): per-object CPU, frames and memory worked out by hand,
// the tree's shape, and which limit binds first.
import { describe, expect, it } from "vitest";
import { childrenWithin, framesPerListener, objectLoad, planTree, socketsWithin, type ModelCosts, type ModelLoad } from "../../bench/fanout-model.ts";

const costs: ModelCosts = { sendPerSocketMicros: 10, receivePerReactionMicros: 5, rpcMicros: 100, encodeMicros: 2, heapBytesPerListener: 1024 };
const load = (listeners: number): ModelLoad => ({ listeners, reactionsPerSecond: 1000, stageChangesPerSecond: 1, flushesPerSecond: 4 });

describe("fan-out model", () => {
  it("costs a room that holds every socket itself", () => {
    const room = objectLoad("room", 1, 1000, 0, load(1000), costs);
    // 1000 sockets × 5 frames × 10 µs + 1000 reactions × 5 µs + 5 encodes × 2 µs = 55,010 µs per second.
    expect(framesPerListener(load(1000))).toBe(5);
    expect(room.coreShare).toBeCloseTo(0.05501, 6);
    expect(room.framesOutPerSecond).toBe(5000);
    expect(room.socketMessagesInPerSecond).toBe(1000);
    expect(room.rpcsInPerSecond).toBe(0);
    expect(room.memoryBytes).toBe(1000 * 1024);
  });

  it("charges a shard its share of the reactions and its RPCs with the parent", () => {
    const shard = objectLoad("shard", 10, 1000, 0, load(10_000), costs);
    // Sends 50,000 + reactions 100 × 5 = 500 + RPCs (4 up + 5 down) × 100 = 900 + encodes 10 → 51,410 µs.
    expect(shard.coreShare).toBeCloseTo(0.05141, 6);
    expect(shard.framesOutPerSecond).toBe(5000 + 4);
    expect(shard.rpcsInPerSecond).toBe(5);
  });

  it("charges a relay per child and names the limit closest to binding", () => {
    const relay = objectLoad("relay", 1, 0, 100, load(1_000_000), costs);
    // (100 children + 1 parent) × 9 RPCs × 100 µs + 10 µs of encodes = 90,910 µs; 400 batches in from the children.
    expect(relay.coreShare).toBeCloseTo(0.09091, 6);
    expect(relay.rpcsInPerSecond).toBe(405);
    expect(relay.binding.limit).toMatch(/^RPCs in/);
    expect(relay.binding.used).toBeCloseTo(0.405, 6);
  });

  it("sizes shards and relays to the CPU share", () => {
    // Per socket 5 × 10 + (1000 / 1M) × 5 µs; fixed 9 × 100 + 10 µs: (400,000 − 910) / 50.005 sockets.
    expect(socketsWithin(0.4, load(1_000_000), costs)).toBe(Math.floor((400_000 - 910) / 50.005));
    // 400,000 / 900 − 1 = 443 by CPU, but 500 requests/s / 4 flushes = 125 children by the soft request limit.
    expect(childrenWithin(0.4, load(1_000_000), costs)).toBe(125);
  });

  it("keeps a small audience in the room and grows the tree by levels", () => {
    expect(planTree(load(5000), costs).depth).toBe(1);
    const million = planTree(load(1_000_000), costs);
    // 399,090 / 50.005 = 7,981 sockets per shard → 126 shards, more than 125 children: one relay level in between.
    expect(million.socketsPerShard).toBe(7981);
    expect(million.levels.map((l) => [l.kind, l.count])).toEqual([["room", 1], ["relay", 2], ["shard", 126]]);
    expect(million.depth).toBe(3);
    expect(Math.max(...million.levels.map((l) => l.coreShare))).toBeLessThanOrEqual(0.5);
  });

  it("lets memory bound a shard when listeners are heavy", () => {
    const heavy = { ...costs, heapBytesPerListener: 190 * 1024 };
    // 80% of 128 MiB / 190 KiB = 551 sockets, far below what the CPU share allows.
    expect(planTree(load(100_000), heavy).socketsPerShard).toBe(Math.floor((128 * 2 ** 20 * 0.8) / (190 * 1024)));
  });
});
