// One continuous MP3 encoder for the Space's mix: 16 kHz mono float in, MP3 frames out (LAME in WebAssembly from
// wasm-media-encoders). Workers cannot compile WebAssembly from bytes, so the .wasm is imported as a module.
// Opus was the contract's wish; see the README ("Recording") for why this is MP3.
import { createEncoder, type WasmMediaEncoder } from "wasm-media-encoders";
import mp3Wasm from "wasm-media-encoders/wasm/mp3";

export const RECORDING_SAMPLE_RATE = 16_000;
export const RECORDING_BITRATE_KBPS = 32;
export const RECORDING_CONTENT_TYPE = "audio/mpeg";

export class Mp3Stream {
  private readonly encoder: WasmMediaEncoder<"audio/mpeg">;

  private constructor(encoder: WasmMediaEncoder<"audio/mpeg">) {
    this.encoder = encoder;
  }

  static async create(): Promise<Mp3Stream> {
    const encoder = await createEncoder("audio/mpeg", mp3Wasm);
    encoder.configure({ sampleRate: RECORDING_SAMPLE_RATE, channels: 1, bitrate: RECORDING_BITRATE_KBPS });
    return new Mp3Stream(encoder);
  }

  /** Encodes samples in [-1, 1]; returns a copy of the frames ready so far (the encoder owns its buffer). */
  encode(samples: Float32Array): Uint8Array {
    return this.encoder.encode([samples]).slice();
  }

  /** The last buffered frames; the stream is done after this. */
  finish(): Uint8Array {
    return this.encoder.finalize().slice();
  }
}

/** MP3 of `samples` zeros from a fresh encoder: stands in for a stretch nobody recorded (off, or lost). */
export async function silenceMp3(samples: number): Promise<Uint8Array> {
  const stream = await Mp3Stream.create();
  const parts: Uint8Array[] = [];
  const block = new Float32Array(RECORDING_SAMPLE_RATE);
  for (let left = samples; left > 0; left -= block.length) parts.push(stream.encode(left >= block.length ? block : block.subarray(0, left)));
  parts.push(stream.finish());
  return concatBytes(parts);
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
