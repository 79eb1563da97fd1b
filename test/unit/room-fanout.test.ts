// The room's coalesced fan-out in isolation: frame ceilings per socket, sliced broadcasts that reach everyone in
// order, the listener count riding on reactions frames, and no timer left once idle.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BROADCAST_SLICE, RoomFanout } from "../../worker/space/room-fanout.ts";
import { REACTION_FLUSH_MS } from "../../worker/space/reaction-batch.ts";
import type { ReactionsMessage, ServerMessage } from "../../worker/protocol/room.ts";

type FakeSocket = { frames: ServerMessage[]; times: number[]; send: (text: string) => void };

function sockets(n: number): FakeSocket[] {
  return Array.from({ length: n }, () => {
    const socket: FakeSocket = {
      frames: [],
      times: [],
      send: (text) => {
        socket.frames.push(JSON.parse(text));
        socket.times.push(Date.now());
      },
    };
    return socket;
  });
}

/** Reaction delays on one socket: the k-th reaction counted arrived with the frame whose running total passed k. */
function delays(socket: FakeSocket, sentAt: number[]): number[] {
  const out: number[] = [];
  let seen = 0;
  socket.frames.forEach((frame, i) => {
    if (frame.type !== "reactions") return;
    const total = seen + Object.values(frame.counts).reduce((a, b) => a + (b ?? 0), 0);
    for (let k = seen; k < total; k++) out.push(socket.times[i]! - sentAt[k]!);
    seen = total;
  });
  return out;
}

function fanoutFor(all: FakeSocket[], count: { value: number | null }) {
  return new RoomFanout(() => all as unknown as WebSocket[], () => count.value);
}

const reaction = (i: number) => ({ userId: `u${i}`, handle: `user${i}`, emoji: "🔥" as const });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("room fan-out", () => {
  it("sends each socket at most 4 reactions frames a second at 100 reactions/s, carrying every reaction", async () => {
    const all = sockets(3);
    const fanout = fanoutFor(all, { value: 3 });
    for (let i = 0; i < 200; i++) {
      fanout.addReaction(reaction(i));
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(1000);
    for (const socket of all) {
      const frames = socket.frames.filter((f): f is ReactionsMessage => f.type === "reactions");
      expect(frames.length).toBeLessThanOrEqual(4 * 2 + 1);
      expect(frames.reduce((sum, f) => sum + (f.counts["🔥"] ?? 0), 0)).toBe(200);
      expect(frames.every((f) => f.recent.length <= 5)).toBe(true);
    }
    expect(fanout.waiting).toBe(false);
  });

  it("reaches thousands of sockets in slices, yielding between them, in flush order", async () => {
    const all = sockets(BROADCAST_SLICE * 5 + 7);
    const fanout = fanoutFor(all, { value: all.length });
    fanout.addReaction(reaction(1));
    await vi.advanceTimersByTimeAsync(0);
    // The first slice went out in the first turn; the rest wait for later turns.
    expect(all[0]!.frames).toHaveLength(1);
    expect(all.at(-1)!.frames).toHaveLength(0);
    fanout.addReaction(reaction(2));
    await vi.advanceTimersByTimeAsync(2000);
    for (const socket of all) {
      const frames = socket.frames.filter((f): f is ReactionsMessage => f.type === "reactions");
      expect(frames.map((f) => f.recent[0]?.userId)).toEqual(["u1", "u2"]);
    }
    expect(fanout.waiting).toBe(false);
  });

  it("puts a changed listener count on the next reactions frame instead of a separate update", async () => {
    const all = sockets(2);
    const count = { value: 2 };
    const fanout = fanoutFor(all, count);
    count.value = 5;
    fanout.countChanged();
    fanout.addReaction(reaction(1));
    await vi.advanceTimersByTimeAsync(3000);
    expect(all[0]!.frames).toEqual([expect.objectContaining({ type: "reactions", listenerCount: 5 })]);

    count.value = 6;
    fanout.countChanged();
    await vi.advanceTimersByTimeAsync(3000);
    expect(all[0]!.frames.at(-1)).toEqual({ type: "update", listenerCount: 6 });
    expect(fanout.waiting).toBe(false);
  });

  it("sends nothing once the room is no longer live", async () => {
    const all = sockets(2);
    const count = { value: 2 as number | null };
    const fanout = fanoutFor(all, count);
    fanout.addReaction(reaction(1));
    count.value = null;
    await vi.advanceTimersByTimeAsync(2000);
    expect(all[0]!.frames).toEqual([]);
    expect(fanout.waiting).toBe(false);
  });

  it("sends a reaction in a quiet room at once", async () => {
    const all = sockets(2);
    const fanout = fanoutFor(all, { value: 2 });
    await vi.advanceTimersByTimeAsync(5000);
    fanout.addReaction(reaction(1));
    await vi.advanceTimersByTimeAsync(0);
    expect(all[0]!.frames).toEqual([expect.objectContaining({ type: "reactions", counts: { "🔥": 1 } })]);
  });

  it("never sends a socket more than 4 frames in any second, reactions and count updates together", async () => {
    const all = sockets(1);
    const count = { value: 1 };
    const fanout = fanoutFor(all, count);
    // A reaction, then count changes alone (a count-only frame goes out around 1.1 s), then reactions at 100/s
    // right behind it with the audience changing every 30 ms, then 3 seconds of count changes alone.
    for (let t = 0; t < 6000; t += 10) {
      if (t === 0 || (t >= 1110 && t < 3000)) fanout.addReaction(reaction(t));
      if (t === 100 || t === 500 || (t >= 1110 && t % 30 === 0)) {
        count.value += 1;
        fanout.countChanged();
      }
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(3000);
    const times = all[0]!.times;
    expect(times.length).toBeGreaterThan(12);
    for (let i = 0; i + 4 < times.length; i++) expect(times[i + 4]! - times[i]!).toBeGreaterThanOrEqual(4 * REACTION_FLUSH_MS);
    expect(all[0]!.frames.at(-1)).toMatchObject({ listenerCount: count.value });
  });

  it("keeps the median delay at 10 reactions/s near half the frame gap", async () => {
    const all = sockets(1);
    const fanout = fanoutFor(all, { value: 1 });
    const sentAt: number[] = [];
    // Ten a second at uneven spacing (70–130 ms), for 10 seconds.
    for (let i = 0; i < 100; i++) {
      await vi.advanceTimersByTimeAsync(70 + ((i * 37) % 61));
      sentAt.push(Date.now());
      fanout.addReaction(reaction(i));
    }
    await vi.advanceTimersByTimeAsync(1000);
    const measured = delays(all[0]!, sentAt).sort((a, b) => a - b);
    expect(measured).toHaveLength(100);
    const median = measured[50]!;
    expect(median).toBeLessThanOrEqual(REACTION_FLUSH_MS / 2 + 25);
    expect(measured.at(-1)!).toBeLessThanOrEqual(REACTION_FLUSH_MS);
  });
});

/**
 * An event loop whose sends take time: `now` moves on while a socket sends, and a timer runs when it is due and the
 * loop is free, never earlier (vitest's fake clock would move pending timers along with the time a send took).
 */
function busyLoop() {
  let now = 1_000_000;
  let nextId = 1;
  const timers = new Map<number, { at: number; seq: number; run: () => void }>();
  return {
    now: () => now,
    spend: (ms: number) => (now += ms),
    setTimeout: (run: () => void, ms = 0) => {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), seq: id, run });
      return id;
    },
    clearTimeout: (id: number) => void timers.delete(id),
    /** Runs due timers in order until `until`, or until none are left. */
    runUntil(until: number) {
      for (;;) {
        const next = [...timers.entries()].sort(([, a], [, b]) => a.at - b.at || a.seq - b.seq)[0];
        if (!next || next[1].at > until) return void (now = Math.max(now, until));
        timers.delete(next[0]);
        now = Math.max(now, next[1].at);
        next[1].run();
      }
    },
  };
}

describe("room fan-out on a loop whose sends take time", () => {
  it("keeps every socket's frames a full gap apart when a broadcast's slices run slower than the next one's or the order changes", () => {
    vi.useRealTimers();
    const loop = busyLoop();
    vi.spyOn(Date, "now").mockImplementation(loop.now);
    vi.stubGlobal("setTimeout", loop.setTimeout);
    vi.stubGlobal("clearTimeout", loop.clearTimeout);
    try {
      // 3.5 slices of sockets; the first frame costs 0.5 ms a send (175 ms to reach the last socket), later ones nothing.
      const all = Array.from({ length: BROADCAST_SLICE * 3 + 50 }, () => ({
        times: [] as number[],
        send() {
          if (this.times.length === 0) loop.spend(0.5);
          this.times.push(loop.now());
        },
      }));
      // The room lists its sockets in a different order each time (last first every other call).
      let calls = 0;
      const list = () => (calls++ % 2 === 0 ? all : [...all].reverse()) as unknown as WebSocket[];
      const fanout = new RoomFanout(list, () => all.length);
      const start = loop.now();
      // 100 reactions a second for 3 s.
      for (let t = 0; t < 3000; t += 10) {
        loop.runUntil(start + t);
        fanout.addReaction(reaction(t));
      }
      loop.runUntil(start + 5000);
      expect(fanout.waiting).toBe(false);
      for (const socket of all) {
        expect(socket.times.length).toBeGreaterThan(8);
        for (let i = 1; i < socket.times.length; i++) expect(socket.times[i]! - socket.times[i - 1]!).toBeGreaterThanOrEqual(REACTION_FLUSH_MS);
        for (let i = 0; i + 4 < socket.times.length; i++) expect(socket.times[i + 4]! - socket.times[i]!).toBeGreaterThanOrEqual(4 * REACTION_FLUSH_MS);
      }
    } finally {
      vi.unstubAllGlobals();
      vi.restoreAllMocks();
    }
  });
});
