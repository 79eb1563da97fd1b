// The Space's mix on its own timeline: every stage track adds its 16 kHz mono samples at their time in the Space
// (ms since the start); chunks nobody wrote to are silence. Pure: the recorder takes whole chunks to encode.
import { RECORDING_SAMPLE_RATE } from "./recording-format.ts";

/** One part in R2 per chunk: an eviction or crash loses at most the chunk being filled. */
export const CHUNK_MS = 4_000;
export const CHUNK_SAMPLES = (CHUNK_MS / 1000) * RECORDING_SAMPLE_RATE;
const SAMPLES_PER_MS = RECORDING_SAMPLE_RATE / 1000;

export const chunkOf = (spaceMs: number) => Math.floor(spaceMs / CHUNK_MS);

export class SpaceMix {
  private readonly chunks = new Map<number, Float32Array>();
  /** Chunks before this one were taken (encoded): late samples for them are dropped. */
  private taken = 0;
  /** The furthest point in the Space any track has reached (ms). */
  furthestMs = 0;

  constructor(firstChunk: number) {
    this.taken = firstChunk;
  }

  /** Adds s16 samples starting `atMs` after the Space started (several speakers sum; clipped when encoded). */
  add(samples: Int16Array, atMs: number): void {
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
    this.furthestMs = Math.max(this.furthestMs, position / SAMPLES_PER_MS);
  }

  get nextChunk(): number {
    return this.taken;
  }

  /** The next chunk's samples (silence if nobody spoke), clipped to [-1, 1]; later writes to it are dropped. */
  take(): { chunk: number; samples: Float32Array } {
    const chunk = this.taken++;
    const samples = this.chunks.get(chunk) ?? new Float32Array(CHUNK_SAMPLES);
    this.chunks.delete(chunk);
    for (let i = 0; i < samples.length; i++) samples[i] = Math.max(-1, Math.min(1, samples[i]!));
    return { chunk, samples };
  }
}
