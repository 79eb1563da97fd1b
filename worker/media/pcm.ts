// Pure PCM helpers for the adapter audio: packet order and gaps, stereo → mono downmix, and a 48 kHz → 16 kHz
// low-pass resampler that keeps its filter state across chunks. No I/O; unit-tested in test/unit/media-pcm.test.ts.

export const ADAPTER_SAMPLE_RATE = 48_000;
export const ADAPTER_CHANNELS = 2;
export const STT_SAMPLE_RATE = 16_000;
const DECIMATION = ADAPTER_SAMPLE_RATE / STT_SAMPLE_RATE;

/**
 * Gaps of at most this many packets (≈ 200 ms of 20 ms packets) are filled with silence so the audio keeps its real
 * length and word times stay right; longer gaps are skipped (nothing sent: speech-to-text is paid per audio minute)
 * and the clock jumps over them instead.
 */
export const MAX_FILLED_GAP_PACKETS = 10;
/** A forward jump this large is a restarted stream (new numbering), not lost packets. */
const RESTART_JUMP = 1 << 16;

export type SequenceStep =
  | { kind: "next" }
  /** `missing` packets were lost just before this one. */
  | { kind: "gap"; missing: number; fill: boolean }
  /** A duplicate or a late packet (behind the newest seen): dropped, audio is never re-ordered. */
  | { kind: "stale" }
  | { kind: "restart" };

/** Orders adapter packets by their uint32 sequence number (wrapping) and classifies each one. */
export class PacketSequencer {
  private last: number | null = null;

  accept(sequenceNumber: number): SequenceStep {
    const seq = sequenceNumber >>> 0;
    const last = this.last;
    if (last === null) {
      this.last = seq;
      return { kind: "next" };
    }
    const ahead = (seq - last) >>> 0;
    if (ahead === 0 || ahead >= 0x8000_0000) return { kind: "stale" };
    this.last = seq;
    if (ahead === 1) return { kind: "next" };
    if (ahead >= RESTART_JUMP) return { kind: "restart" };
    const missing = ahead - 1;
    return { kind: "gap", missing, fill: missing <= MAX_FILLED_GAP_PACKETS };
  }
}

/** Interleaved stereo s16le bytes → mono float samples in [-1, 1) (the average of both channels). */
export function downmixStereoS16le(payload: Uint8Array): Float32Array {
  const frames = Math.floor(payload.byteLength / (2 * ADAPTER_CHANNELS));
  const view = new DataView(payload.buffer, payload.byteOffset, frames * 2 * ADAPTER_CHANNELS);
  const mono = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    const left = view.getInt16(i * 4, true);
    const right = view.getInt16(i * 4 + 2, true);
    mono[i] = (left + right) / 65_536;
  }
  return mono;
}

/** Number of 48 kHz frames in an adapter payload. */
export const framesIn = (payload: Uint8Array) => Math.floor(payload.byteLength / (2 * ADAPTER_CHANNELS));

/** Milliseconds of audio in this many 48 kHz frames. */
export const framesToMs = (frames: number) => (frames * 1000) / ADAPTER_SAMPLE_RATE;

/** Windowed-sinc low-pass taps (Blackman window) for decimation by 3: cutoff 7.2 kHz, under the 8 kHz output Nyquist. */
function lowPassTaps(count: number, cutoff: number): Float32Array {
  const taps = new Float32Array(count);
  const middle = (count - 1) / 2;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const x = i - middle;
    const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    const window = 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (count - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (count - 1));
    taps[i] = sinc * window;
    sum += taps[i]!;
  }
  for (let i = 0; i < count; i++) taps[i] = taps[i]! / sum;
  return taps;
}

const TAPS = lowPassTaps(48, 7_200 / ADAPTER_SAMPLE_RATE);

/**
 * 48 kHz mono float → 16 kHz mono s16. Streaming: the filter history and the decimation phase carry over between
 * calls, so chunk boundaries leave no clicks and any split of the same input gives the same output.
 */
export class Downsampler48To16 {
  private history = new Float32Array(TAPS.length - 1);
  private phase = 0;

  process(input: Float32Array): Int16Array {
    const historyLength = this.history.length;
    const joined = new Float32Array(historyLength + input.length);
    joined.set(this.history, 0);
    joined.set(input, historyLength);
    const outputs: number[] = [];
    let index = this.phase;
    for (; index < input.length; index += DECIMATION) {
      let acc = 0;
      // joined[index + historyLength] is the newest input sample of this output's window.
      const end = index + historyLength;
      for (let t = 0; t < TAPS.length; t++) acc += TAPS[t]! * joined[end - t]!;
      outputs.push(acc);
    }
    this.phase = index - input.length;
    this.history = joined.slice(joined.length - historyLength);
    const out = new Int16Array(outputs.length);
    for (let i = 0; i < outputs.length; i++) out[i] = Math.max(-32_768, Math.min(32_767, Math.round(outputs[i]! * 32_768)));
    return out;
  }

  /** Forget the filter history (after a skipped gap the old samples are no neighbours of the new ones). */
  reset(): void {
    this.history.fill(0);
    this.phase = 0;
  }
}

/** Little-endian bytes of s16 samples (what linear16 speech-to-text expects), independent of platform byte order. */
export function s16leBytes(samples: Int16Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i]!, true);
  return bytes;
}
