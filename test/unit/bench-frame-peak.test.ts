// The bench's per-listener frame figures (bench/fanout.ts): the most frames one socket got within any 1 s (which a
// room sending every 250 ms or more keeps at 4 however long the run), the shortest 5-frame span and frames per reaction.
import { describe, expect, it } from "vitest";
import { peakFramesInAnySecond, shortestFiveFrameSpan, steadyFramesPerReaction } from "../../bench/fanout.ts";

const every = (gapMs: number, count: number, from = 0) => Array.from({ length: count }, (_, i) => from + i * gapMs);

describe("peakFramesInAnySecond", () => {
  it("counts 4 for frames exactly 250 ms apart over 3 s, where a mean over the window reads 13/3", () => {
    expect(peakFramesInAnySecond([every(250, 13)])).toBe(4);
  });

  it("counts a fifth frame that comes a millisecond early", () => {
    const times = every(250, 13);
    times[4] = 999;
    expect(peakFramesInAnySecond([times])).toBe(5);
  });

  it("takes the worst socket, and a burst anywhere in the run", () => {
    const burst = [...every(250, 8), ...every(100, 10, 2100)];
    expect(peakFramesInAnySecond([every(250, 20), burst])).toBe(10);
  });

  it("is 0 for sockets that got nothing, and 1 for a lone frame", () => {
    expect(peakFramesInAnySecond([])).toBe(0);
    expect(peakFramesInAnySecond([[], [5]])).toBe(1);
  });
});

describe("shortestFiveFrameSpan", () => {
  it("is four gaps at a steady cadence, and infinite with fewer than 5 frames", () => {
    expect(shortestFiveFrameSpan([every(260, 12), every(300, 6)])).toBe(1040);
    expect(shortestFiveFrameSpan([every(100, 4)])).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("steadyFramesPerReaction", () => {
  it("leaves out the burst's first frame and its last (the remainder), and the reactions each carried", () => {
    // One socket: a lone reaction at once (t=0), frames at 250/500/750 carrying 25 each of emojis 0 and 1, then the
    // remainder when the senders stopped: 4 more at 1000.
    const timeline = [0, 0, 1, 250, 0, 13, 250, 1, 12, 500, 0, 26, 500, 1, 24, 750, 0, 38, 750, 1, 38, 1000, 0, 40, 1000, 1, 40];
    const frames = [0, 250, 500, 750, 1000];
    expect(steadyFramesPerReaction([timeline], [frames])).toBeCloseTo(3 / 75, 10);
  });

  it("does not depend on where the burst ends on the frame grid", () => {
    // 100 reactions a second of one emoji, a frame every 260 ms after the at-once first: the last frame carries 6, 16
    // or 26 (the senders stopped 60, 160 or 260 ms after the frame before it); the steady figure stays 1/26.
    const burst = (tailMs: number) => {
      const times = [0, ...Array.from({ length: 10 }, (_, k) => 260 * (k + 1)), 2600 + tailMs];
      const timeline = times.flatMap((at) => [at, 0, at === 0 ? 1 : 1 + Math.round(at / 10)]);
      return steadyFramesPerReaction([timeline], [times]);
    };
    for (const tail of [60, 160, 260]) expect(burst(tail)).toBeCloseTo(1 / 26, 10);
  });

  it("counts every frame between the edges, count-only frames included, and is NaN with no frame between them", () => {
    expect(steadyFramesPerReaction([[0, 0, 1, 300, 0, 3, 600, 0, 4]], [[0, 100, 300, 600]])).toBe(1);
    expect(steadyFramesPerReaction([[0, 0, 1, 300, 0, 3]], [[0, 300]])).toBeNaN();
    expect(steadyFramesPerReaction([[0, 0, 1]], [[0]])).toBeNaN();
    expect(steadyFramesPerReaction([], [])).toBeNaN();
  });
});
