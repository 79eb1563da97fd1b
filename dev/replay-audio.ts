// Reading a recording back for tests and the bench, whatever its container: Debian's ffmpeg decodes it to 16 kHz
// mono PCM, then 40 ms frames (10 ms apart) are sorted into tone (a Goertzel filter at the tone's frequency holds
// most of the frame's energy), speech (loud, not the tone) and quiet, and merged into runs with their times.
import { spawn } from "node:child_process";

export const ANALYSIS_RATE = 16_000;
const FRAME = 640;
const HOP = 160;
const HOP_MS = (HOP / ANALYSIS_RATE) * 1000;
/** About -45 dBFS: the recording's silence (and codec noise) stays under it, the tone and speech well over. */
const MIN_RMS = 0.0056;

export type Run = { startMs: number; endMs: number };
export type FrameKind = "tone" | "speech" | "quiet";

/** Decodes any audio ffmpeg knows (Ogg/Opus, WebM, MP3) to mono s16 at 16 kHz, as floats in [-1, 1]. */
export function decodeToPcm(bytes: Uint8Array): Promise<Float32Array> {
  return new Promise((resolve, reject) => {
    const ffmpeg = spawn("ffmpeg", ["-v", "error", "-i", "pipe:0", "-f", "s16le", "-ac", "1", "-ar", String(ANALYSIS_RATE), "pipe:1"]);
    const chunks: Buffer[] = [];
    let stderr = "";
    ffmpeg.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    ffmpeg.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    ffmpeg.on("error", reject);
    // ffmpeg may stop reading early on a broken file: its exit code tells, not the pipe.
    ffmpeg.stdin.on("error", () => undefined);
    ffmpeg.on("close", (code) => {
      if (code !== 0) return reject(new Error(`ffmpeg could not decode the audio (exit ${code}): ${stderr.slice(-500)}`));
      const raw = Buffer.concat(chunks);
      const pcm = new Float32Array(Math.floor(raw.length / 2));
      for (let i = 0; i < pcm.length; i++) pcm[i] = raw.readInt16LE(i * 2) / 32_768;
      resolve(pcm);
    });
    ffmpeg.stdin.end(Buffer.from(bytes));
  });
}

/** Share of a frame's energy at `hz` (1 for a pure tone filling the frame, ~0 for silence or broadband sound). */
function toneShare(pcm: Float32Array, from: number, hz: number): { share: number; rms: number } {
  const coefficient = 2 * Math.cos((2 * Math.PI * hz) / ANALYSIS_RATE);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (let i = 0; i < FRAME; i++) {
    const x = pcm[from + i] ?? 0;
    energy += x * x;
    const s0 = x + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  return { share: energy === 0 ? 0 : (2 * power) / (FRAME * energy), rms: Math.sqrt(energy / FRAME) };
}

/** Each frame's kind, timed at the frame's centre (ms from the start of the audio). */
export function classifyFrames(pcm: Float32Array, toneHz: number): { atMs: number; kind: FrameKind }[] {
  const frames: { atMs: number; kind: FrameKind }[] = [];
  for (let from = 0; from + FRAME <= pcm.length; from += HOP) {
    const { share, rms } = toneShare(pcm, from, toneHz);
    const kind: FrameKind = rms < MIN_RMS ? "quiet" : share > 0.5 ? "tone" : share < 0.3 ? "speech" : "quiet";
    frames.push({ atMs: ((from + FRAME / 2) / ANALYSIS_RATE) * 1000, kind });
  }
  return frames;
}

/** Runs of one kind at least `minMs` long; breaks shorter than `bridgeMs` inside a run are bridged. */
export function runsOf(frames: { atMs: number; kind: FrameKind }[], kind: FrameKind, minMs: number, bridgeMs = 0): Run[] {
  const runs: Run[] = [];
  let current: Run | null = null;
  for (const frame of frames) {
    if (frame.kind !== kind) continue;
    if (current && frame.atMs - current.endMs <= bridgeMs + HOP_MS) current.endMs = frame.atMs;
    else {
      if (current) runs.push(current);
      current = { startMs: frame.atMs, endMs: frame.atMs };
    }
  }
  if (current) runs.push(current);
  return runs.filter((run) => run.endMs - run.startMs >= minMs);
}

export type RecordingAnalysis = { durationMs: number; frames: { atMs: number; kind: FrameKind }[]; tone: Run[]; speech: Run[] };

/** The tone's stretches (≥ 0.5 s) and the speech's (≥ 0.3 s, pauses under 0.4 s inside a sentence bridged). */
export function analyseRecording(pcm: Float32Array, toneHz: number): RecordingAnalysis {
  const frames = classifyFrames(pcm, toneHz);
  return {
    durationMs: (pcm.length / ANALYSIS_RATE) * 1000,
    frames,
    tone: runsOf(frames, "tone", 500, 60),
    speech: runsOf(frames, "speech", 300, 400),
  };
}

/** Share of the frames centred in [fromMs, toMs) that are of `kind` (0 when there are none). */
export function shareOf(analysis: RecordingAnalysis, kind: FrameKind, fromMs: number, toMs: number): number {
  const inside = analysis.frames.filter((frame) => frame.atMs >= fromMs && frame.atMs < toMs);
  return inside.length === 0 ? 0 : inside.filter((frame) => frame.kind === kind).length / inside.length;
}

/** The last frame of `kind` centred in [fromMs, toMs), or null. */
export function lastOf(analysis: RecordingAnalysis, kind: FrameKind, fromMs: number, toMs: number): number | null {
  let last: number | null = null;
  for (const frame of analysis.frames) if (frame.kind === kind && frame.atMs >= fromMs && frame.atMs < toMs) last = frame.atMs;
  return last;
}

