// The media object's pure audio path: downmix, 48 → 16 kHz resampling, packet order and gaps, and the track pipeline
// feeding its sinks with the right times.
import { describe, expect, it } from "vitest";
import { encodeAdapterPacket } from "../../worker/media/adapter-packet.ts";
import { Downsampler48To16, downmixStereoS16le, MAX_FILLED_GAP_PACKETS, PacketSequencer, s16leBytes } from "../../worker/media/pcm.ts";
import { TrackPipeline, type PcmSink } from "../../worker/media/track-pipeline.ts";

/** Interleaved stereo s16le of a sine (same on both channels unless `right` is given). */
function stereoSine(hz: number, frames: number, amplitude = 0.5, startFrame = 0, right?: (i: number) => number): Uint8Array {
  const bytes = new Uint8Array(frames * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < frames; i++) {
    const left = Math.round(amplitude * 32_767 * Math.sin((2 * Math.PI * hz * (i + startFrame)) / 48_000));
    view.setInt16(i * 4, left, true);
    view.setInt16(i * 4 + 2, right ? right(i) : left, true);
  }
  return bytes;
}

const rms = (samples: ArrayLike<number>, scale = 1) => {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += (samples[i]! / scale) ** 2;
  return Math.sqrt(sum / samples.length);
};

/** Frequency from rising zero crossings (good enough for a clean sine). */
function dominantHz(samples: Int16Array, rate: number): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 && samples[i]! >= 0) crossings++;
  return (crossings * rate) / samples.length;
}

describe("downmix", () => {
  it("averages left and right into one channel", () => {
    const mono = downmixStereoS16le(stereoSine(0, 3, 0, 0, () => 16_384));
    expect([...mono]).toEqual([0.25, 0.25, 0.25]);
    const both = downmixStereoS16le(new Uint8Array(new Int16Array([1000, 3000, -32768, -32768]).buffer));
    expect([...both]).toEqual([2000 / 32_768, -1]);
  });
});

describe("Downsampler48To16", () => {
  it("keeps a 1 kHz tone's pitch and level at a third of the samples", () => {
    const input = downmixStereoS16le(stereoSine(1000, 48_000));
    const out = new Downsampler48To16().process(input);
    expect(out.length).toBe(16_000);
    expect(dominantHz(out.subarray(100), 16_000)).toBeCloseTo(1000, -1);
    expect(rms(out.subarray(100), 32_768) / rms(input)).toBeGreaterThan(0.95);
    expect(rms(out.subarray(100), 32_768) / rms(input)).toBeLessThan(1.05);
  });

  it("filters out a 12 kHz tone that 16 kHz cannot hold instead of folding it back", () => {
    const input = downmixStereoS16le(stereoSine(12_000, 48_000));
    const out = new Downsampler48To16().process(input);
    expect(rms(out.subarray(100), 32_768) / rms(input)).toBeLessThan(0.02);
  });

  it("gives the same samples whatever the chunk sizes", () => {
    const input = downmixStereoS16le(stereoSine(440, 4_801));
    const whole = new Downsampler48To16().process(input);
    const chunked = new Downsampler48To16();
    const parts: number[] = [];
    for (const [from, to] of [[0, 7], [7, 960], [960, 961], [961, 3000], [3000, 4801]] as const) {
      parts.push(...chunked.process(input.subarray(from, to)));
    }
    expect(parts).toEqual([...whole]);
  });

  it("writes little-endian bytes", () => {
    expect([...s16leBytes(new Int16Array([1, -2, 256]))]).toEqual([1, 0, 0xfe, 0xff, 0, 1]);
  });
});

describe("PacketSequencer", () => {
  it("classifies next, short and long gaps, stale packets and a restart", () => {
    const seq = new PacketSequencer();
    expect(seq.accept(10)).toEqual({ kind: "next" });
    expect(seq.accept(11)).toEqual({ kind: "next" });
    expect(seq.accept(14)).toEqual({ kind: "gap", missing: 2, fill: true });
    expect(seq.accept(14)).toEqual({ kind: "stale" });
    expect(seq.accept(12)).toEqual({ kind: "stale" });
    expect(seq.accept(15 + MAX_FILLED_GAP_PACKETS + 1)).toEqual({ kind: "gap", missing: MAX_FILLED_GAP_PACKETS + 1, fill: false });
    expect(seq.accept(200_000)).toEqual({ kind: "restart" });
  });

  it("follows the uint32 wrap", () => {
    const seq = new PacketSequencer();
    seq.accept(0xffff_fffe);
    expect(seq.accept(0xffff_ffff)).toEqual({ kind: "next" });
    expect(seq.accept(0)).toEqual({ kind: "next" });
    expect(seq.accept(2)).toEqual({ kind: "gap", missing: 1, fill: true });
    expect(seq.accept(0xffff_fff0)).toEqual({ kind: "stale" });
  });
});

type Event = { kind: "write"; frames: number; atMs: number; silent: boolean } | { kind: "jump"; atMs: number } | { kind: "close" };

function recordingSink(events: Event[]): PcmSink {
  return {
    write: (payload, atMs) => events.push({ kind: "write", frames: payload.byteLength / 4, atMs, silent: payload.every((b) => b === 0) }),
    discontinuity: (atMs) => events.push({ kind: "jump", atMs }),
    close: () => events.push({ kind: "close" }),
  };
}

const packet = (sequenceNumber: number) =>
  encodeAdapterPacket({ sequenceNumber, timestamp: sequenceNumber * 960, payload: stereoSine(440, 960, 0.5, sequenceNumber * 960) });

describe("TrackPipeline", () => {
  it("fills a short gap in the sequence numbers with silence of the lost length and keeps the clock", () => {
    const events: Event[] = [];
    const pipeline = new TrackPipeline([recordingSink(events)], () => 5_000);
    for (const seq of [1, 2, 5, 6]) expect(pipeline.push(packet(seq))).toBe("ok");
    expect(events).toEqual([
      { kind: "jump", atMs: 5_000 },
      { kind: "write", frames: 960, atMs: 5_000, silent: false },
      { kind: "write", frames: 960, atMs: 5_020, silent: false },
      { kind: "write", frames: 1920, atMs: 5_040, silent: true },
      { kind: "write", frames: 960, atMs: 5_080, silent: false },
      { kind: "write", frames: 960, atMs: 5_100, silent: false },
    ]);
    expect(pipeline.stats).toMatchObject({ packets: 4, filledPackets: 2, skippedPackets: 0 });
  });

  it("skips a long gap: nothing is written for it, the sinks hear of the jump and the clock moves over it", () => {
    const events: Event[] = [];
    const pipeline = new TrackPipeline([recordingSink(events)], () => 0);
    pipeline.push(packet(1));
    pipeline.push(packet(102));
    pipeline.close();
    expect(events).toEqual([
      { kind: "jump", atMs: 0 },
      { kind: "write", frames: 960, atMs: 0, silent: false },
      { kind: "jump", atMs: 2_020 },
      { kind: "write", frames: 960, atMs: 2_020, silent: false },
      { kind: "close" },
    ]);
    expect(pipeline.stats.skippedPackets).toBe(100);
  });

  it("starts a restarted numbering at the Space's time now, but never before the audio it already placed", () => {
    const events: Event[] = [];
    let nowMs = 0;
    const pipeline = new TrackPipeline([recordingSink(events)], () => nowMs);
    for (const seq of [1, 2, 3]) pipeline.push(packet(seq));
    expect(pipeline.clock).toBe(60);
    // Audio came faster than real time: the Space's clock is still at 0, so the new stream goes on from 60.
    pipeline.push(packet(200_000));
    nowMs = 5_000;
    pipeline.push(packet(400_000));
    expect(events.filter((e) => e.kind === "jump")).toEqual([
      { kind: "jump", atMs: 0 },
      { kind: "jump", atMs: 60 },
      { kind: "jump", atMs: 5_000 },
    ]);
    expect(pipeline.clock).toBe(5_020);
  });

  it("drops duplicates, late and malformed packets without writing them", () => {
    const events: Event[] = [];
    const pipeline = new TrackPipeline([recordingSink(events)], () => 0);
    pipeline.push(packet(7));
    expect(pipeline.push(packet(7))).toBe("stale");
    expect(pipeline.push(packet(3))).toBe("stale");
    expect(pipeline.push(new Uint8Array([0xff, 0xff]))).toBe("malformed");
    expect(pipeline.push(encodeAdapterPacket({ sequenceNumber: 8, timestamp: 0, payload: new Uint8Array(3) }))).toBe("malformed");
    expect(events.filter((e) => e.kind === "write")).toHaveLength(1);
    expect(pipeline.stats).toMatchObject({ packets: 1, stale: 2, malformed: 2 });
  });
});
