// The recorder's sink of one stage track: 48 kHz stereo → 16 kHz mono, added to the Space's mix at its own time.
// Audio is placed by counting samples; audio that would land in a chunk already taken (the track lagged the clock by
// more than the mix waits) moves the track forward to the first open chunk instead of being lost.
import { log } from "../adapter-sockets.ts";
import { Downsampler48To16, downmixStereoS16le } from "../pcm.ts";
import type { PcmSink } from "../track-pipeline.ts";
import type { SpaceMix } from "./mix.ts";

export class RecorderSink implements PcmSink {
  private readonly downsampler = new Downsampler48To16();
  /** Where the current unbroken stretch began (Space ms) and how many 16 kHz samples it has produced since. */
  private anchorMs: number | null = null;
  private produced = 0;
  /** Where this track's placed audio ends (Space ms): a new stretch never starts before it (no self-overlap). */
  private endMs = 0;
  private lastMix: SpaceMix | null = null;
  private readonly mix: () => SpaceMix | null;
  private readonly spaceId: string;

  /** `mix()` is the live mix, or null while recording is off (the sink then drops audio). */
  constructor(mix: () => SpaceMix | null, spaceId = "") {
    this.mix = mix;
    this.spaceId = spaceId;
  }

  write(payload: Uint8Array, atMs: number): void {
    const mix = this.mix();
    if (!mix) return;
    if (mix !== this.lastMix) {
      // Recording was off (or restarted) meanwhile: samples were not counted, so place from the track's own clock.
      this.anchorMs = null;
      this.lastMix?.release(this);
      this.lastMix = mix;
    }
    if (this.anchorMs === null) {
      this.anchorMs = Math.max(atMs, this.endMs);
      this.produced = 0;
    }
    const samples = this.downsampler.process(downmixStereoS16le(payload));
    // Sample counting, not the packet's ms, places the audio: no rounding drift over a long stretch.
    let placeMs = this.anchorMs + (this.produced * 1000) / 16_000;
    if (placeMs < mix.openFromMs) {
      // Its chunk was taken (the track lagged longer than the mix waits): only the part of the timeline that is
      // already stored is skipped, as silence; the audio itself goes on from the first open chunk.
      const shiftMs = mix.openFromMs - placeMs;
      this.anchorMs += shiftMs;
      placeMs = mix.openFromMs;
      log("media_recording_track_shifted", { spaceId: this.spaceId, shiftMs: Math.round(shiftMs) });
    }
    mix.add(samples, placeMs, this);
    this.produced += samples.length;
    this.endMs = placeMs + (samples.length * 1000) / 16_000;
  }

  discontinuity(): void {
    this.anchorMs = null;
    this.downsampler.reset();
    // Nothing arrives during a skipped gap: the mix must not wait for this track meanwhile.
    this.lastMix?.release(this);
  }

  close(): void {
    this.anchorMs = null;
    this.lastMix?.release(this);
  }
}
