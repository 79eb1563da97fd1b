// Test audio for the SFU: a sine tone encoded as real Opus (libopus via opusscript), 20 ms per packet,
// plus helpers to measure what comes back out of the adapter as s16le PCM.
import OpusScript from "opusscript";

const SAMPLE_RATE = 48_000;
const FRAME_SAMPLES = 960;

/** Returns a function giving the next 20 ms Opus packet of a mono `frequency` Hz tone. */
export function opusToneSource(frequency: number, amplitude = 0.3): () => Buffer {
  const encoder = new OpusScript(SAMPLE_RATE, 1, OpusScript.Application.AUDIO);
  const frame = new Int16Array(FRAME_SAMPLES);
  let sampleIndex = 0;
  return () => {
    for (let index = 0; index < FRAME_SAMPLES; index++, sampleIndex++) {
      frame[index] = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * frequency * sampleIndex) / SAMPLE_RATE));
    }
    return Buffer.from(encoder.encode(Buffer.from(frame.buffer), FRAME_SAMPLES));
  };
}

/** Left channel of interleaved stereo s16le PCM, as floats in [-1, 1]. */
export function leftChannel(pcm: Uint8Array): Float32Array {
  const view = new DataView(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const out = new Float32Array(pcm.byteLength / 4);
  for (let index = 0; index < out.length; index++) out[index] = view.getInt16(index * 4, true) / 32768;
  return out;
}

export function rms(samples: Float32Array): number {
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

/** Frequency estimated from upward zero crossings; good enough to tell 440 Hz from noise or silence. */
export function zeroCrossingFrequency(samples: Float32Array, sampleRate = SAMPLE_RATE): number {
  let crossings = 0;
  for (let index = 1; index < samples.length; index++) if (samples[index - 1]! < 0 && samples[index]! >= 0) crossings++;
  return (crossings * sampleRate) / samples.length;
}
