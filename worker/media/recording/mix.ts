// The Space's mix on its own timeline: every stage track adds its 16 kHz mono samples at their time in the Space
// (ms since the start); chunks nobody wrote to are silence. Pure: the recorder takes whole chunks to encode, when
// every live track's audio has passed a chunk's end (or the wall clock is a bounded time past it).
import { RECORDING_SAMPLE_RATE } from "./recording-format.ts";

/** One part in R2 per chunk: an eviction or crash loses at most the chunk being filled. */
export const CHUNK_MS = 4_000;
export const CHUNK_SAMPLES = (CHUNK_MS / 1000) * RECORDING_SAMPLE_RATE;
/** A chunk is taken no sooner than this after its end, so a track's slightly late packets still land in it. */
export const LATE_MS = 400;
/** A chunk is taken at the latest this long after its end (wall clock), even if a live track has not reached it:
 *  a stalled or silent track cannot hold the recording, and an eviction still loses at most CHUNK_MS + this (5 s). */
export const MAX_HOLD_MS = 1_000;
const SAMPLES_PER_MS = RECORDING_SAMPLE_RATE / 1000;

export const chunkOf = (spaceMs: number) => Math.floor(spaceMs / CHUNK_MS);

export type TakenChunk = { chunk: number; samples: Float32Array };

export class SpaceMix {
  private readonly chunks = new Map<number, Float32Array>();
  /** Chunks before this one were taken (encoded): late samples for them are dropped. */
  private taken = 0;
  /** Where each live track's placed audio ends (ms), keyed by its sink: chunks wait for these, up to MAX_HOLD_MS. */
  private readonly cursors = new Map<object, number>();
  /** The furthest point in the Space any track has reached (ms). */
  furthestMs = 0;

  constructor(firstChunk: number) {
    this.taken = firstChunk;
  }

  /** Adds s16 samples starting `atMs` after the Space started (several speakers sum; clipped when encoded).
   *  `track` (the writing sink) marks the track live until `release`, so chunks wait for its audio. */
  add(samples: Int16Array, atMs: number, track?: object): void {
    let position = Math.round(atMs * SAMPLES_PER_MS);
    let index = 0;
    while (index < samples.length) {
      const chunk = Math.floor(position / CHUNK_SAMPLES);
      const offset = position - chunk * CHUNK_SAMPLES;
      const count = Math.min(samples.length - index, CHUNK_SAMPLES - offset);
      if (chunk >= this.taken) {
        let buffer = this.chunks.get(chunk);
        if (!buffer) this.chunks.set(chunk, (buffer = new Float32Array(CHUNK_SAMPLES)));
        for (let i = 0; i < count; i++) buffer[offset + i]! += samples[index + i]! / 32_768;
      }
      index += count;
      position += count;
    }
    const endMs = position / SAMPLES_PER_MS;
    this.furthestMs = Math.max(this.furthestMs, endMs);
    if (track) this.cursors.set(track, endMs);
  }

  /** The track has no audio coming for now (it closed, or skips a gap): chunks no longer wait for it. */
  release(track: object): void {
    this.cursors.delete(track);
  }

  get nextChunk(): number {
    return this.taken;
  }

  /** The start of the first chunk not taken yet: audio placed before it would be lost. */
  get openFromMs(): number {
    return this.taken * CHUNK_MS;
  }

  /** How far every live track's audio has been placed (ms); Infinity while no track is live. */
  get settledMs(): number {
    let settled = Infinity;
    for (const end of this.cursors.values()) settled = Math.min(settled, end);
    return settled;
  }

  /** The chunks due at `nowMs` (the Space's wall-clock time), taken in order: a chunk is due once it ended LATE_MS
   *  ago (in the Space's time or the furthest track's) and every live track's audio has passed its end, or at the
   *  latest MAX_HOLD_MS after its end. Tracks place audio by counting samples, so after a delivery stall they lag the
   *  clock; waiting for them keeps their late burst in place. */
  takeDue(nowMs: number): TakenChunk[] {
    const reached = Math.max(nowMs, this.furthestMs);
    const due: TakenChunk[] = [];
    for (;;) {
      const end = (this.taken + 1) * CHUNK_MS;
      const complete = end + LATE_MS <= reached && this.settledMs >= end;
      if (!complete && end + MAX_HOLD_MS > nowMs) return due;
      due.push(this.take());
    }
  }

  /** The next chunk's samples (silence if nobody spoke), clipped to [-1, 1]; later writes to it are dropped. */
  take(): TakenChunk {
    const chunk = this.taken++;
    const samples = this.chunks.get(chunk) ?? new Float32Array(CHUNK_SAMPLES);
    this.chunks.delete(chunk);
    for (let i = 0; i < samples.length; i++) samples[i] = Math.max(-1, Math.min(1, samples[i]!));
    return { chunk, samples };
  }
}
