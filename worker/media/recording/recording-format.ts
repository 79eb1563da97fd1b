// The recording's audio format: the Space's 16 kHz mono mix as Opus (libopus, voice, 24 kbps VBR, 20 ms frames) in
// Ogg. The stream turns float samples into packets; the caller hands in the compiled libopus module (opus-module.ts
// in the Worker, the .wasm file compiled in Node).
import { OpusEncoder } from "./opus-encoder.ts";

export const RECORDING_SAMPLE_RATE = 16_000;
export const RECORDING_BITRATE = 24_000;
export const RECORDING_CONTENT_TYPE = "audio/ogg";
/** File name ending of parts, the replay and clips. */
export const RECORDING_EXTENSION = "opus";
const FRAME_MS = 20;

/** One continuous encoder over the mix: any number of samples in, whole 20 ms packets out (the rest waits). */
export class OpusStream {
  private readonly encoder: OpusEncoder;
  private readonly frame: Int16Array;
  private filled = 0;

  private constructor(encoder: OpusEncoder) {
    this.encoder = encoder;
    this.frame = new Int16Array(encoder.frameSize);
  }

  static async create(module: WebAssembly.Module): Promise<OpusStream> {
    return new OpusStream(await OpusEncoder.create(module, { sampleRate: RECORDING_SAMPLE_RATE, bitrate: RECORDING_BITRATE }, FRAME_MS));
  }

  /** The Ogg pre-skip of a stream this encoder starts (48 kHz samples). */
  get preSkip(): number {
    return this.encoder.preSkip;
  }

  /** Encodes samples in [-1, 1]; returns the packets completed by them. */
  encode(samples: Float32Array): Uint8Array[] {
    const packets: Uint8Array[] = [];
    for (let i = 0; i < samples.length; i++) {
      this.frame[this.filled++] = Math.round(Math.max(-1, Math.min(1, samples[i]!)) * 32_767);
      if (this.filled === this.frame.length) {
        packets.push(this.encoder.encode(this.frame));
        this.filled = 0;
      }
    }
    return packets;
  }

  /** Frees the encoder; samples short of a whole frame are dropped (chunks are whole frames, so there are none). */
  close(): void {
    this.encoder.free();
  }
}

/** `count` 20 ms packets of silence: a stretch nobody recorded (off, or lost). A few frames of zeros bring a fresh
 *  encoder to its steady silent packet, which then repeats, so an hour-long gap costs no more than a second. */
export async function silencePackets(module: WebAssembly.Module, count: number): Promise<Uint8Array[]> {
  if (count <= 0) return [];
  const stream = await OpusStream.create(module);
  try {
    const warmed = stream.encode(new Float32Array(5 * (RECORDING_SAMPLE_RATE / 1000) * FRAME_MS));
    return Array.from({ length: count }, () => warmed[warmed.length - 1]!);
  } finally {
    stream.close();
  }
}

/** The pre-skip of this format's encoder (its lookahead at 48 kHz): every encoder of the same settings has it. */
export async function encoderPreSkip(module: WebAssembly.Module): Promise<number> {
  const stream = await OpusStream.create(module);
  try {
    return stream.preSkip;
  } finally {
    stream.close();
  }
}
