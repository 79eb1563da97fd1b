// The recorder's sink of one stage track: 48 kHz stereo → 16 kHz mono, added to the Space's mix at its own time.
import { Downsampler48To16, downmixStereoS16le } from "../pcm.ts";
import type { PcmSink } from "../track-pipeline.ts";
import type { SpaceMix } from "./mix.ts";

export class RecorderSink implements PcmSink {
  private readonly downsampler = new Downsampler48To16();
  /** Where the current unbroken stretch began (Space ms) and how many 16 kHz samples it has produced since. */
  private anchorMs: number | null = null;
  private produced = 0;
  private readonly mix: () => SpaceMix | null;

  /** `mix()` is the live mix, or null while recording is off (the sink then drops audio). */
  constructor(mix: () => SpaceMix | null) {
    this.mix = mix;
  }

  write(payload: Uint8Array, atMs: number): void {
    const mix = this.mix();
    if (!mix) return;
    if (this.anchorMs === null) {
      this.anchorMs = atMs;
      this.produced = 0;
    }
    const samples = this.downsampler.process(downmixStereoS16le(payload));
    // Sample counting, not the packet's ms, places the audio: no rounding drift over a long stretch.
    mix.add(samples, this.anchorMs + (this.produced * 1000) / 16_000);
    this.produced += samples.length;
  }

  discontinuity(): void {
    this.anchorMs = null;
    this.downsampler.reset();
  }

  close(): void {
    this.anchorMs = null;
  }
}
