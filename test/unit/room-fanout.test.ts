// The room's coalesced fan-out in isolation: frame ceilings per socket, sliced broadcasts that reach everyone in
// order, the listener count riding on reactions frames, and no timer left once idle.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BROADCAST_SLICE, RoomFanout } from "../../worker/space/room-fanout.ts";
import type { ReactionsMessage, ServerMessage } from "../../worker/protocol/room.ts";

type FakeSocket = { frames: ServerMessage[]; send: (text: string) => void };

function sockets(n: number): FakeSocket[] {
  return Array.from({ length: n }, () => {
    const socket: FakeSocket = { frames: [], send: (text) => socket.frames.push(JSON.parse(text)) };
    return socket;
  });
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
});
