// The README's captions figures, rendered from one results file of `npm run bench:captions` between
// <!-- captions:start --> and <!-- captions:end -->. `node bench/captions-readme.ts [results.json]` re-renders from a file.
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { PipelineFigures } from "./captions-cpu.ts";
import type { LiveRep, SpeechClip } from "./captions-live.ts";
import type { Spread } from "./stats.ts";

export const CAPTIONS_RESULTS_FILE = join(import.meta.dirname, "results/captions-pipeline.json");
const README = join(import.meta.dirname, "..", "README.md");

export type LiveFigures = {
  loopsPerRep: number;
  clip: Omit<SpeechClip, "file">;
  /** Per rep: p50 and p95 of its sentences; the spread is over reps. */
  speechEndToFinalP50Ms: Spread;
  speechEndToFinalP95Ms: Spread;
  /** Every sentence of every rep together. */
  pooled: { p50: number; p95: number; samples: number; missed: number };
  publishToAdapterAudioMs: Spread;
  adapterNewToFirstPacketMs: Spread;
  anchorErrorMs: Spread;
  /** Every sentence: the matched utterance's end on the media object's clock minus the speech end (see LiveRep). */
  utteranceEndAfterSpeechEndMs: Spread;
  /** Reps that failed, with why; the figures come from the others. */
  failures: string[];
  reps: LiveRep[];
};
export type CaptionsResults = {
  measuredAt: string;
  commit: string;
  dirty: boolean;
  node: string;
  machine: { cpuCores: number; loadAverageBefore: number; loadAverageAfter: number };
  reps: number;
  pipeline: PipelineFigures;
  live: LiveFigures | { skipped: string };
};

const ms = (value: number) => `${Math.round(value).toLocaleString("en-US")} ms`;
const row = (figure: string, spread: Spread, unit: (v: number) => string, how: string) =>
  `| ${figure} | **${unit(spread.median)}** | ${unit(spread.min)} – ${unit(spread.max)} | ${how} |`;

export function renderCaptions(results: CaptionsResults): string {
  const { pipeline, live } = results;
  const lines = ["| figure | median | min – max over reps | how |", "|---|---:|---:|---|"];
  if ("skipped" in live) lines.push(`| live path (speech end → caption, publish → adapter audio) | – | – | not measured: ${live.skipped} |`);
  else {
    const sentences = `${live.loopsPerRep} sentences per rep, a fresh Space each`;
    lines.push(
      row("speech end → final caption on a listener's screen, p50", live.speechEndToFinalP50Ms, ms, sentences),
      row("speech end → final caption on a listener's screen, p95", live.speechEndToFinalP95Ms, ms, sentences),
      row("publish (going on stage) → the adapter's first audio to the media object", live.publishToAdapterAudioMs, ms, "the SFU stand-in's clock, one per rep"),
      row("… of which the SFU's adapter/new → first audio", live.adapterNewToFirstPacketMs, ms, "the same"),
    );
  }
  const perMinute = pipeline.cpuMsPerSpeakerMinute;
  lines.push(
    row("media object CPU per speaker-minute", perMinute, ms, `${pipeline.minutes} min of ${pipeline.audio} through the pipeline`),
    `| bytes per speaker-minute to speech-to-text | **${pipeline.sttBytesPerSpeakerMinute.toLocaleString("en-US")}** | (the same every rep) | 16 kHz mono s16le; the adapter brings ${pipeline.adapterBytesPerSpeakerMinute.toLocaleString("en-US")} |`,
    "",
  );
  if (!("skipped" in live)) {
    const { pooled, clip } = live;
    lines.push(
      (live.failures.length > 0
        ? `**${live.failures.length} of ${results.reps} reps failed** and ${live.failures.length === 1 ? "is" : "are"} left out ` +
          `(${live.failures.map((f) => f.replace(/\.$/, "")).join("; ")}); the spread is over the other ${results.reps - live.failures.length}. `
        : "") +
      `All ${pooled.samples} sentences together: p50 ${ms(pooled.p50)}, p95 ${ms(pooled.p95)}; ${pooled.missed === 0 ? "every sentence got its final" : `${pooled.missed} sentence(s) got no final within 120 s`}. ` +
        `The host's fake mic (Chromium) loops a ${ms(clip.loopMs)} WAV: ${ms(clip.speechStartMs)} of silence, the flite sentence ` +
        `(${ms(clip.speechEndMs - clip.speechStartMs)}), silence. A speech end is the speech onset seen on the host's captured mic plus ` +
        `the sentence's length in the WAV (the mic's own end detection agrees within ${ms(Math.max(Math.abs(live.anchorErrorMs.min), Math.abs(live.anchorErrorMs.max)))}); ` +
        "a caption counts when its text is in the listener's captions area at an animation frame. The path: WebRTC → local SFU " +
        "stand-in → WebSocket adapter → media object → pocketsphinx stand-in → room → listener, all on this machine. Where the " +
        `time goes: the recogniser ended each utterance a median ${ms(live.utteranceEndAfterSpeechEndMs.median)} ` +
        `(${ms(live.utteranceEndAfterSpeechEndMs.min)} – ${ms(live.utteranceEndAfterSpeechEndMs.max)}) after the speech end on the media ` +
        "object's clock (the audio's trip there plus its end-of-speech wait); the rest is recognition and the relay to the page. " +
        "pocketsphinx needs a good share of a core to keep up with real time (the audio-pipeline note saw about 7× real time on a " +
        "free core); on a machine " +
        "saturated by other work it falls behind and the delay grows sentence by sentence within a rep, which is what a wide " +
        "min – max above means.",
      "",
    );
  }
  lines.push(
    `Recorded ${results.measuredAt} on commit \`${results.commit}\`${results.dirty ? " (with uncommitted changes)" : ""}, Node ${results.node}, ` +
      `${results.machine.cpuCores} cores shared with other work (load average ${results.machine.loadAverageBefore.toFixed(1)} before, ` +
      `${results.machine.loadAverageAfter.toFixed(1)} after), ${results.reps} reps. Source: \`bench/results/captions-pipeline.json\` ` +
      "(`npm run bench:captions`).",
  );
  return lines.join("\n");
}

export function writeCaptionsReadme(results: CaptionsResults, readme = README): void {
  const text = readFileSync(readme, "utf8");
  const start = "<!-- captions:start -->";
  const end = "<!-- captions:end -->";
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README.md has no ${start} … ${end} markers`);
  writeFileSync(readme, `${text.slice(0, a + start.length)}\n${renderCaptions(results)}\n${text.slice(b)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] ? resolve(process.argv[2]) : CAPTIONS_RESULTS_FILE;
  writeCaptionsReadme(JSON.parse(readFileSync(file, "utf8")) as CaptionsResults);
  console.log(`README.md: captions figures from ${file}`);
}
