// Recording encoder cost, measured in Node on the same WebAssembly the media object imports: per speaker-minute the
// 48 kHz stereo → 16 kHz mono resampling (one per stage track) and per minute of mix the MP3 encode (one per Space).
// Run: node_modules/.bin/node bench/recording-encode.ts
import { readFileSync } from "node:fs";
import { createEncoder } from "wasm-media-encoders";
import { Downsampler48To16, downmixStereoS16le } from "../worker/media/pcm.ts";

const MINUTE_S = 60;
const wasm = await WebAssembly.compile(readFileSync(new URL("../node_modules/wasm-media-encoders/wasm/mp3.wasm", import.meta.url)));

// One minute of a 440 Hz tone with some noise, as the adapter's 20 ms packets (48 kHz stereo s16le).
const packets: Uint8Array[] = [];
for (let p = 0; p < MINUTE_S * 50; p++) {
  const payload = new Uint8Array(960 * 4);
  const view = new DataView(payload.buffer);
  for (let i = 0; i < 960; i++) {
    const v = Math.round(Math.sin((2 * Math.PI * 440 * (p * 960 + i)) / 48_000) * 9000 + (Math.random() - 0.5) * 2000);
    view.setInt16(i * 4, v, true);
    view.setInt16(i * 4 + 2, v, true);
  }
  packets.push(payload);
}

let start = process.cpuUsage();
const downsampler = new Downsampler48To16();
const mono: Int16Array[] = packets.map((payload) => downsampler.process(downmixStereoS16le(payload)));
const resampleUsage = process.cpuUsage(start);
const resampleMs = (resampleUsage.user + resampleUsage.system) / 1000;

const encoder = await createEncoder("audio/mpeg", wasm);
encoder.configure({ sampleRate: 16_000, channels: 1, bitrate: 32 });
let bytes = 0;
start = process.cpuUsage();
for (let i = 0; i < mono.length; i += 200) {
  const block = mono.slice(i, i + 200);
  const samples = new Float32Array(block.reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const b of block) for (const s of b) samples[o++] = s / 32_768;
  bytes += encoder.encode([samples]).length;
}
bytes += encoder.finalize().length;
const usage = process.cpuUsage(start);
const encodeMs = (usage.user + usage.system) / 1000;
console.log(JSON.stringify({ minuteOfAudio: true, resampleCpuMsPerSpeakerMinute: Math.round(resampleMs), encodeCpuMsPerMinute: Math.round(encodeMs), bytesPerMinute: bytes }));
