// Captions bench: feeds N minutes of adapter packets (48 kHz stereo PCM in protobuf, 20 ms each: a flite speech clip
// looped) through the media object's pure pipeline (TrackPipeline → SttSink) with a recogniser seam that only counts,
// and measures CPU per speaker-minute and the bytes per speaker-minute sent to speech-to-text.
// Run: npm run bench:captions [-- minutes reps] (defaults 10 and 3); writes bench/results/captions-pipeline.json.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { encodeAdapterPacket } from "../worker/media/adapter-packet.ts";
import { SttSink } from "../worker/media/stt-sink.ts";
import type { SttConnection, SttProvider } from "../worker/media/stt/types.ts";
import { TrackPipeline } from "../worker/media/track-pipeline.ts";

const RESULTS_FILE = "bench/results/captions-pipeline.json";
const minutes = Number(process.argv[2] ?? 10);
const reps = Number(process.argv[3] ?? 3);
const PACKET_FRAMES = 960;
const PACKET_BYTES = PACKET_FRAMES * 4;

/** The flite sentence as 48 kHz stereo s16le (what the SFU's adapter sends); null without flite and sox. */
function speechClip(): { pcm: Uint8Array; source: string } {
  const dir = mkdtempSync(join(tmpdir(), "captions-bench-"));
  try {
    const text = "welcome to the space everyone. today we talk about the weather and the music";
    execFileSync("flite", ["-voice", "slt", "-t", text, "-o", join(dir, "x.wav")]);
    execFileSync("sox", [join(dir, "x.wav"), "-r", "48000", "-c", "2", "-b", "16", "-e", "signed-integer", "-L", "-t", "raw", join(dir, "x.raw")]);
    return { pcm: new Uint8Array(readFileSync(join(dir, "x.raw"))), source: "flite slt speech, looped" };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function packetsFor(clip: Uint8Array, count: number): Uint8Array[] {
  const packets: Uint8Array[] = [];
  const usable = clip.byteLength - (clip.byteLength % PACKET_BYTES);
  for (let i = 0; i < count; i++) {
    const offset = (i * PACKET_BYTES) % usable;
    packets.push(encodeAdapterPacket({ sequenceNumber: i + 1, timestamp: (i + 1) * PACKET_FRAMES, payload: clip.subarray(offset, offset + PACKET_BYTES) }));
  }
  return packets;
}

async function runOnce(packets: Uint8Array[]): Promise<{ cpuMs: number; wallMs: number; sttBytes: number; inBytes: number }> {
  let sttBytes = 0;
  const connection: SttConnection = { isOpen: true, sendAudio: (pcm) => (sttBytes += pcm.byteLength), keepAlive() {}, finalize() {}, close() {} };
  const provider: SttProvider = { name: "local", connect: async () => connection };
  const sink = new SttSink(provider, { userId: "bench", handle: "bench" }, () => {});
  const pipeline = new TrackPipeline([sink], () => 0);
  // The first 100 ms open the recogniser stream (async, as in the object); everything after flows straight through.
  const warmup = 5;
  for (let i = 0; i < warmup; i++) pipeline.push(packets[i]!);
  await new Promise((resolve) => setTimeout(resolve, 0));
  const cpu = process.cpuUsage();
  const wall = performance.now();
  for (let i = warmup; i < packets.length; i++) pipeline.push(packets[i]!);
  pipeline.close();
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - wall, sttBytes, inBytes: pipeline.stats.bytes };
}

const clip = speechClip();
const packets = packetsFor(clip.pcm, Math.round((minutes * 60_000) / 20));
const runs = [];
for (let rep = 0; rep < reps; rep++) runs.push(await runOnce(packets));
const sorted = [...runs].sort((a, b) => a.cpuMs - b.cpuMs);
const median = sorted[Math.floor(sorted.length / 2)]!;
const result = {
  measuredAt: new Date().toISOString(),
  commit: execFileSync("git", ["rev-parse", "--short", "HEAD"]).toString().trim(),
  node: process.version,
  audio: clip.source,
  minutes,
  reps,
  cpuMsPerSpeakerMinute: Math.round((median.cpuMs / minutes) * 10) / 10,
  coreSharePerSpeaker: Math.round((median.cpuMs / (minutes * 60_000)) * 10_000) / 10_000,
  sttBytesPerSpeakerMinute: Math.round(median.sttBytes / minutes),
  adapterBytesPerSpeakerMinute: Math.round(median.inBytes / minutes),
  runs,
};
mkdirSync(dirname(RESULTS_FILE), { recursive: true });
writeFileSync(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
