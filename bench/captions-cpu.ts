// Captions bench, pipeline part: N minutes of adapter packets (48 kHz stereo PCM in protobuf, 20 ms each: a flite speech
// clip looped) through the media object's pure pipeline (TrackPipeline → SttSink) with a recogniser seam that only
// counts: media object CPU per speaker-minute and the bytes per speaker-minute sent to speech-to-text.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeAdapterPacket } from "../worker/media/adapter-packet.ts";
import { SttSink } from "../worker/media/stt-sink.ts";
import type { SttConnection, SttProvider } from "../worker/media/stt/types.ts";
import { TrackPipeline } from "../worker/media/track-pipeline.ts";
import { spreadOf, type Spread } from "./stats.ts";

export const SPEECH_TEXT = "welcome to the space everyone. today we talk about the weather and the music";
const PACKET_FRAMES = 960;
const PACKET_BYTES = PACKET_FRAMES * 4;

export type PipelineRun = { cpuMs: number; wallMs: number; sttBytes: number; inBytes: number };
export type PipelineFigures = {
  audio: string;
  minutes: number;
  cpuMsPerSpeakerMinute: Spread;
  sttBytesPerSpeakerMinute: number;
  adapterBytesPerSpeakerMinute: number;
  runs: PipelineRun[];
};

/** The flite sentence as 48 kHz stereo s16le (what the SFU's adapter sends). */
function speechClip(): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "captions-bench-"));
  try {
    execFileSync("flite", ["-voice", "slt", "-t", SPEECH_TEXT, "-o", join(dir, "x.wav")]);
    execFileSync("sox", [join(dir, "x.wav"), "-r", "48000", "-c", "2", "-b", "16", "-e", "signed-integer", "-L", "-t", "raw", join(dir, "x.raw")]);
    return new Uint8Array(readFileSync(join(dir, "x.raw")));
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

async function runOnce(packets: Uint8Array[]): Promise<PipelineRun> {
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

export async function measurePipeline(minutes: number, reps: number, log: (line: string) => void): Promise<PipelineFigures> {
  const packets = packetsFor(speechClip(), Math.round((minutes * 60_000) / 20));
  const runs: PipelineRun[] = [];
  for (let rep = 0; rep < reps; rep++) {
    runs.push(await runOnce(packets));
    log(`pipeline run ${rep + 1}/${reps}: ${Math.round(runs[rep]!.cpuMs)} ms CPU for ${minutes} speaker-minutes`);
  }
  const perMinute = (value: number) => Math.round((value / minutes) * 10) / 10;
  return {
    audio: "flite slt speech, looped",
    minutes,
    cpuMsPerSpeakerMinute: spreadOf(runs.map((run) => perMinute(run.cpuMs))),
    sttBytesPerSpeakerMinute: Math.round(runs[0]!.sttBytes / minutes),
    adapterBytesPerSpeakerMinute: Math.round(runs[0]!.inBytes / minutes),
    runs,
  };
}
