// Writes a sine-tone WAV (16-bit PCM, mono, 48 kHz) for Chromium's --use-file-for-fake-audio-capture,
// so each fake microphone in an e2e test sends a frequency the listener can recognise.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

const SAMPLE_RATE = 48_000;

/** Chromium loops the file; a whole number of cycles per loop keeps the tone free of clicks. */
export async function writeToneWav(dir: string, frequencyHz: number, seconds = 2, amplitude = 0.5): Promise<string> {
  const samples = Math.round(SAMPLE_RATE * seconds);
  const cycles = Math.max(1, Math.round(frequencyHz * seconds));
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    const value = Math.sin((2 * Math.PI * cycles * i) / samples) * amplitude;
    data.writeInt16LE(Math.round(value * 32_767), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(36 + data.length, 4);
  header.write("WAVE", 8, "ascii");
  header.write("fmt ", 12, "ascii");
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(SAMPLE_RATE, 24);
  header.writeUInt32LE(SAMPLE_RATE * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write("data", 36, "ascii");
  header.writeUInt32LE(data.length, 40);
  const path = join(dir, `tone-${frequencyHz}hz.wav`);
  await writeFile(path, Buffer.concat([header, data]));
  return path;
}
