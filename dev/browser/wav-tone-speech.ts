// A fake microphone that says something at known times: silence, a 440 Hz tone, silence, a flite sentence (voice
// slt), silence; one loop as a 48 kHz mono WAV for Chromium's --use-file-for-fake-audio-capture (which loops it).
// Recording tests and the replay bench place what they find in a replay against this layout.
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export type ToneSpeechLayout = {
  path: string;
  toneHz: number;
  /** Where each part starts in one loop, and how long it lasts (ms). */
  toneStartMs: number;
  toneMs: number;
  speechStartMs: number;
  speechMs: number;
  loopMs: number;
};

export const TONE_SPEECH_APT_LINE = "apt-get install -y flite sox";

const soxSeconds = (path: string) => Number(execFileSync("soxi", ["-D", path], { encoding: "utf8" }).trim());

/** Builds the WAV in `dir` with flite and sox (Debian packages); the layout's times are exact to the sample. */
export function writeToneSpeechWav(dir: string, sentence: string, options: { toneHz?: number; toneMs?: number } = {}): ToneSpeechLayout {
  const toneHz = options.toneHz ?? 440;
  const toneMs = options.toneMs ?? 2_000;
  const leadMs = 1_000;
  const gapMs = 1_000;
  const tailMs = 2_500;
  const speechRaw = join(dir, "speech-flite.wav");
  const speech = join(dir, "speech-48k.wav");
  const tone = join(dir, "tone.wav");
  const out = join(dir, "tone-speech.wav");
  execFileSync("flite", ["-voice", "slt", "-t", sentence, "-o", speechRaw]);
  // flite leaves a little silence at both ends; trimmed, the speech starts where the layout says.
  execFileSync("sox", [speechRaw, "-r", "48000", "-c", "1", "-b", "16", speech, "silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse"]);
  execFileSync("sox", ["-n", "-r", "48000", "-c", "1", "-b", "16", tone, "synth", String(toneMs / 1000), "sine", String(toneHz), "vol", "0.4"]);
  const speechMs = Math.round(soxSeconds(speech) * 1000);
  execFileSync("sox", [tone, speech, out, "pad", `${leadMs / 1000}@0`, `${gapMs / 1000}@${toneMs / 1000}`, `${tailMs / 1000}`]);
  const loopMs = Math.round(soxSeconds(out) * 1000);
  return { path: out, toneHz, toneStartMs: leadMs, toneMs, speechStartMs: leadMs + toneMs + gapMs, speechMs, loopMs };
}
