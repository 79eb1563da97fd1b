// Recording encoder cost, measured in Node on the same code and WebAssembly the media object runs: per speaker-minute
// the 48 kHz stereo → 16 kHz mono resampling (one per stage track); per minute of mix the Opus encode and Ogg muxing
// into 4 s parts (one per Space), the bytes stored, and the replay's bytes after the re-mux. For comparison, the MP3
// encoder used before (LAME from wasm-media-encoders, 32 kbps CBR) on the same audio. Signals: flite speech, looped
// (what a Space mostly is), and a 440 Hz tone with noise (the previous figure's signal).
// Run: node_modules/.bin/node bench/recording-encode.ts [minutes reps] (defaults 1 and 3); writes
// bench/results/recording-encode.json.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createEncoder } from "wasm-media-encoders";
import { Downsampler48To16, downmixStereoS16le } from "../worker/media/pcm.ts";
import { CHUNK_SAMPLES } from "../worker/media/recording/mix.ts";
import { muxOggOpus } from "../worker/media/recording/ogg-opus.ts";
import { OpusStream, RECORDING_BITRATE, RECORDING_SAMPLE_RATE } from "../worker/media/recording/recording-format.ts";

const RESULTS_FILE = "bench/results/recording-encode.json";
const minutes = Number(process.argv[2] ?? 1);
const reps = Number(process.argv[3] ?? 3);
const PACKET_BYTES = 960 * 4;
const opusModule = new WebAssembly.Module(readFileSync(new URL("../node_modules/@evan/opus/wasm/opus.wasm", import.meta.url)));
const mp3Module = new WebAssembly.Module(readFileSync(new URL("../node_modules/wasm-media-encoders/wasm/mp3.wasm", import.meta.url)));

function speech(): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "recording-bench-"));
  try {
    const text = "welcome to the space everyone. today we talk about the weather and the music";
    execFileSync("flite", ["-voice", "slt", "-t", text, "-o", join(dir, "x.wav")]);
    execFileSync("sox", [join(dir, "x.wav"), "-r", "48000", "-c", "2", "-b", "16", "-e", "signed-integer", "-L", "-t", "raw", join(dir, "x.raw")]);
    return new Uint8Array(readFileSync(join(dir, "x.raw")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function tone(): Uint8Array {
  const pcm = new Uint8Array(50 * PACKET_BYTES);
  const view = new DataView(pcm.buffer);
  for (let i = 0; i < pcm.length / 4; i++) {
    const v = Math.round(Math.sin((2 * Math.PI * 440 * i) / 48_000) * 9000 + (Math.random() - 0.5) * 2000);
    view.setInt16(i * 4, v, true);
    view.setInt16(i * 4 + 2, v, true);
  }
  return pcm;
}

/** The adapter's 20 ms payloads for `minutes` of the clip, looped. */
function payloads(clip: Uint8Array): Uint8Array[] {
  const usable = clip.byteLength - (clip.byteLength % PACKET_BYTES);
  return Array.from({ length: minutes * 60 * 50 }, (_, i) => clip.subarray((i * PACKET_BYTES) % usable, ((i * PACKET_BYTES) % usable) + PACKET_BYTES));
}

const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

async function once(packets: Uint8Array[]) {
  let start = process.cpuUsage();
  const downsampler = new Downsampler48To16();
  const mono = packets.map((payload) => downsampler.process(downmixStereoS16le(payload)));
  const resampleMs = cpuMs(start);
  const mix = new Float32Array(mono.reduce((n, m) => n + m.length, 0));
  let at = 0;
  for (const block of mono) for (const sample of block) mix[at++] = sample / 32_768;

  // What the recorder does per 4 s chunk: encode, mux the part; then the end's re-mux of every packet.
  start = process.cpuUsage();
  const stream = await OpusStream.create(opusModule);
  const all: Uint8Array[] = [];
  let partBytes = 0;
  for (let chunk = 0; chunk < mix.length; chunk += CHUNK_SAMPLES) {
    const encoded = stream.encode(mix.subarray(chunk, chunk + CHUNK_SAMPLES));
    partBytes += muxOggOpus({ preSkip: stream.preSkip, inputRate: RECORDING_SAMPLE_RATE, packets: encoded }, { serial: 1 }).byteLength;
    all.push(...encoded);
  }
  const encodeMs = cpuMs(start);
  start = process.cpuUsage();
  const replayBytes = muxOggOpus({ preSkip: stream.preSkip, inputRate: RECORDING_SAMPLE_RATE, packets: all }, { serial: 2 }).byteLength;
  const remuxMs = cpuMs(start);
  stream.close();
  return { resampleMs, encodeMs, remuxMs, partBytes, replayBytes, mp3Bytes: await mp3Bytes(mix) };
}

/** Bytes of the same mix as 32 kbps CBR MP3, the format recordings used before. */
async function mp3Bytes(mix: Float32Array): Promise<number> {
  const encoder = await createEncoder("audio/mpeg", mp3Module);
  encoder.configure({ sampleRate: RECORDING_SAMPLE_RATE, channels: 1, bitrate: 32 });
  let bytes = 0;
  for (let at = 0; at < mix.length; at += CHUNK_SAMPLES) bytes += encoder.encode([mix.subarray(at, at + CHUNK_SAMPLES)]).length;
  return bytes + encoder.finalize().length;
}

const spread = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted[sorted.length - 1]! };
};
const perMinute = (value: number) => Math.round(value / minutes);

const results: Record<string, unknown> = {};
for (const [name, clip] of [["speech", speech()], ["tone", tone()]] as const) {
  const packets = payloads(clip);
  const runs = [];
  for (let rep = 0; rep < reps; rep++) runs.push(await once(packets));
  results[name] = {
    resampleCpuMsPerSpeakerMinute: spread(runs.map((r) => perMinute(r.resampleMs))),
    opusEncodeCpuMsPerMinute: spread(runs.map((r) => perMinute(r.encodeMs))),
    remuxCpuMsPerMinute: spread(runs.map((r) => perMinute(r.remuxMs))),
    opusPartBytesPerMinute: spread(runs.map((r) => perMinute(r.partBytes))),
    opusReplayBytesPerMinute: spread(runs.map((r) => perMinute(r.replayBytes))),
    mp3BytesPerMinute: spread(runs.map((r) => perMinute(r.mp3Bytes))),
  };
}

const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
const output = { date: new Date().toISOString(), commit, node: process.version, minutes, reps, opusBitrate: RECORDING_BITRATE, results };
mkdirSync(dirname(RESULTS_FILE), { recursive: true });
writeFileSync(RESULTS_FILE, `${JSON.stringify(output, null, 2)}\n`);
console.log(JSON.stringify(output, null, 2));
