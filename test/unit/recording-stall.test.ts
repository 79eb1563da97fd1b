// The recorder after a delivery stall: a track's packets arrive late in a burst (or stay late), on a simulated clock.
// Pure pieces as the media object wires them: TrackPipeline → RecorderSink → SpaceMix, chunks taken by takeDue(now).
import { afterEach, describe, expect, it, vi } from "vitest";
import { encodeAdapterPacket } from "../../worker/media/adapter-packet.ts";
import { AudioWaiters } from "../../worker/media/recording/audio-waiters.ts";
import { CHUNK_MS, LATE_MS, MAX_HOLD_MS, SpaceMix, type TakenChunk } from "../../worker/media/recording/mix.ts";
import { RecorderSink } from "../../worker/media/recording/recorder-sink.ts";
import { RECORDING_SAMPLE_RATE } from "../../worker/media/recording/recording-format.ts";
import { TrackPipeline } from "../../worker/media/track-pipeline.ts";

const PACKET_MS = 20;
const PER_MS = RECORDING_SAMPLE_RATE / 1000;

/** A 20 ms adapter packet of a steady level (48 kHz stereo s16le): every recorded sample of it is clearly non-zero. */
function packet(seq: number): Uint8Array {
  const payload = new Uint8Array(960 * 4);
  const view = new DataView(payload.buffer);
  for (let i = 0; i < 960 * 2; i++) view.setInt16(i * 2, 8_000, true);
  return encodeAdapterPacket({ sequenceNumber: seq, timestamp: seq * 960, payload });
}

/** One track speaking from `startMs` for `packets` packets; `deliverAt(i)` is when packet i reaches the object
 *  (the Space's wall clock). Chunks are taken after every packet, as the media object does, and at the end. */
function record(startMs: number, packets: number, deliverAt: (i: number) => number) {
  const mix = new SpaceMix(0);
  const sink = new RecorderSink(() => mix);
  const pipeline = new TrackPipeline([sink], () => startMs);
  const taken: TakenChunk[] = [];
  let now = startMs;
  for (let i = 0; i < packets; i++) {
    now = Math.max(now, deliverAt(i));
    pipeline.push(packet(i + 1));
    taken.push(...mix.takeDue(now));
  }
  pipeline.close();
  const endMs = Math.max(now, mix.furthestMs);
  while (mix.nextChunk * CHUNK_MS < endMs) taken.push(mix.take());
  const timeline = new Float32Array(taken.length * CHUNK_MS * PER_MS);
  for (const t of taken) timeline.set(t.samples, t.chunk * CHUNK_MS * PER_MS);
  return { taken, timeline };
}

/** Samples at the steady level (the first few ms of a stretch are the resampler's filter filling). */
const loud = (timeline: Float32Array) => timeline.filter((s) => Math.abs(s) > 0.2).length;
/** The longest run of near-zero samples between `fromMs` and `toMs`, in ms. */
function longestSilenceMs(timeline: Float32Array, fromMs: number, toMs: number): number {
  let longest = 0;
  let run = 0;
  for (let i = fromMs * PER_MS; i < toMs * PER_MS; i++) {
    run = Math.abs(timeline[i]!) < 0.2 ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest / PER_MS;
}

describe("recorder after a delivery stall", () => {
  it("keeps a late burst in place when the stall spans a chunk's end (no all-zero gap before the boundary)", () => {
    // Speaking from 1 s for 10 s; nothing is delivered from 3.7 s to 4.6 s (the first chunk ends at 4 s), then the
    // backlog arrives at once and delivery goes on in real time.
    const stallFrom = 3_700;
    const stallTo = stallFrom + LATE_MS + 500;
    const { taken, timeline } = record(1_000, 500, (i) => {
      const sent = 1_000 + i * PACKET_MS;
      return sent >= stallFrom && sent < stallTo ? stallTo : sent;
    });
    expect(taken.map((t) => t.chunk)).toEqual([0, 1, 2]);
    expect(longestSilenceMs(timeline, 1_010, 11_000)).toBe(0);
    // All 10 s of audio, in place (less the filter's first ms).
    expect(loud(timeline)).toBeGreaterThan(10_000 * PER_MS - 16);
  });

  it("loses no audio when a stall outlasts the mix's wait: the burst moves to the first open chunk", () => {
    const stallFrom = 3_700;
    const stallTo = stallFrom + MAX_HOLD_MS + 2_000;
    const { timeline } = record(1_000, 500, (i) => {
      const sent = 1_000 + i * PACKET_MS;
      return sent >= stallFrom && sent < stallTo ? stallTo : sent;
    });
    // The stored first chunk keeps what arrived in time; the rest starts at 4 s; nothing is dropped.
    expect(longestSilenceMs(timeline, 1_010, 3_700)).toBe(0);
    expect(longestSilenceMs(timeline, 4_000, 11_000)).toBe(0);
    expect(loud(timeline)).toBeGreaterThan(10_000 * PER_MS - 16);
  });

  it("keeps audio that stays late after a stall (no catch-up), without waiting for it forever", () => {
    // From 2.5 s on every packet arrives 3 s late: the track lags the clock for good.
    const { taken, timeline } = record(1_000, 500, (i) => {
      const sent = 1_000 + i * PACKET_MS;
      return sent >= 2_500 ? sent + 3_000 : sent;
    });
    expect(loud(timeline)).toBeGreaterThan(10_000 * PER_MS - 16);
    // Each chunk was taken by the wall-clock bound at the latest (the packet that arrived then took it).
    expect(taken.map((t) => t.chunk)).toEqual([0, 1, 2, 3]);
  });

  it("does not hold chunks for a live track that stopped sending", () => {
    const mix = new SpaceMix(0);
    const sink = new RecorderSink(() => mix);
    const pipeline = new TrackPipeline([sink], () => 1_000);
    for (let i = 0; i < 50; i++) pipeline.push(packet(i + 1));
    // The track reached 2 s and then fell silent without closing.
    expect(mix.takeDue(CHUNK_MS + LATE_MS)).toEqual([]);
    expect(mix.takeDue(CHUNK_MS + MAX_HOLD_MS).map((t) => t.chunk)).toEqual([0]);
  });

  it("takes a chunk as soon as every live track passed its end, and at LATE_MS after it with nobody speaking", () => {
    const mix = new SpaceMix(0);
    expect(mix.takeDue(CHUNK_MS + LATE_MS - 1)).toEqual([]);
    expect(mix.takeDue(CHUNK_MS + LATE_MS).map((t) => t.chunk)).toEqual([0]);
    const track = {};
    mix.add(new Int16Array(8), 2 * CHUNK_MS - 1, track);
    expect(mix.takeDue(2 * CHUNK_MS + LATE_MS)).toEqual([]);
    mix.add(new Int16Array(16), 2 * CHUNK_MS, track);
    expect(mix.takeDue(2 * CHUNK_MS + LATE_MS).map((t) => t.chunk)).toEqual([1]);
  });
});

describe("recording switched off and on while a track speaks", () => {
  it("places the track's audio at its own time again, not where counting stopped", () => {
    let mix: SpaceMix | null = new SpaceMix(0);
    const first = mix;
    const pipeline = new TrackPipeline([new RecorderSink(() => mix)], () => 1_000);
    for (let i = 0; i < 100; i++) pipeline.push(packet(i + 1)); // 1–3 s recorded
    mix = null;
    for (let i = 100; i < 400; i++) pipeline.push(packet(i + 1)); // 3–9 s not recorded
    expect(first.furthestMs).toBe(3_000);
    mix = new SpaceMix(2); // back on at 9 s: the recorder resumes at the chunk holding it (8 s)
    for (let i = 400; i < 500; i++) pipeline.push(packet(i + 1)); // 9–11 s
    const chunk = mix.take();
    expect(chunk.chunk).toBe(2);
    // Silence from 8 s to 9 s, the track's audio from 9 s on.
    expect(longestSilenceMs(chunk.samples, 0, 990)).toBe(990);
    expect(longestSilenceMs(chunk.samples, 1_010, 3_000)).toBe(0);
  });
});

describe("the end of a recorded Space waits for late audio, within a bound", () => {
  afterEach(() => vi.useRealTimers());

  it("keeps audio that arrives after the end was asked, once the track reaches the end", async () => {
    const mix = new SpaceMix(0);
    const pipeline = new TrackPipeline([new RecorderSink(() => mix)], () => 1_000);
    const waiters = new AudioWaiters();
    // The Space ends at 3 s of its time while the track (stalled) has placed only up to 2 s.
    for (let i = 0; i < 50; i++) pipeline.push(packet(i + 1));
    const endMs = 3_000;
    const settled = waiters.until(() => mix.settledMs >= endMs, MAX_HOLD_MS);
    for (let i = 50; i < 100; i++) {
      pipeline.push(packet(i + 1));
      waiters.wake();
    }
    expect(await settled).toBe(true);
    const timeline = mix.take().samples;
    expect(longestSilenceMs(timeline, 1_010, 3_000)).toBe(0);
  });

  it("gives up after MAX_HOLD_MS when a live track sends nothing more", async () => {
    vi.useFakeTimers();
    const mix = new SpaceMix(0);
    const pipeline = new TrackPipeline([new RecorderSink(() => mix)], () => 1_000);
    for (let i = 0; i < 50; i++) pipeline.push(packet(i + 1));
    const waiters = new AudioWaiters();
    const settled = waiters.until(() => mix.settledMs >= 3_000, MAX_HOLD_MS);
    waiters.wake();
    vi.advanceTimersByTime(MAX_HOLD_MS);
    expect(await settled).toBe(false);
    // A closed track is no longer waited for.
    pipeline.close();
    expect(mix.settledMs).toBe(Infinity);
  });
});
