// Captions bench: `npm run bench:captions [-- minutes reps loops]` (defaults 10, 3 and 4). Measures the media object's
// pipeline (CPU and bytes to speech-to-text per speaker-minute, bench/captions-cpu.ts) and the live path in Chromium
// (speech end → final caption on a listener's screen, publish → adapter audio, bench/captions-live.ts), writes
// bench/results/captions-pipeline.json and renders the README's captions table from it. Trial runs:
// CAPTIONS_BENCH_OUT=/tmp/x.json writes there and leaves the README alone.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Browser } from "playwright-core";
import { launchChromium } from "../dev/browser/chromium.ts";
import { startSfu } from "../dev/sfu/server.ts";
import { ensureLocalSecrets, startStack } from "../dev/stack.ts";
import { pocketsphinxAvailable, startSttStandIn } from "../dev/stt/server.ts";
import { measurePipeline } from "./captions-cpu.ts";
import { liveRep, speechLoop, type AdapterEvent, type LiveRep } from "./captions-live.ts";
import { CAPTIONS_RESULTS_FILE, writeCaptionsReadme, type CaptionsResults, type LiveFigures } from "./captions-readme.ts";
import { percentile, spreadOf } from "./stats.ts";

const minutes = Number(process.argv[2] ?? 10);
const reps = Number(process.argv[3] ?? 3);
const loops = Number(process.argv[4] ?? 4);
const log = (line: string) => console.log(line);
const CALLS_APP_ID = "local-app";

async function measureLive(): Promise<LiveFigures | { skipped: string }> {
  if (!(await pocketsphinxAvailable())) return { skipped: "pocketsphinx is not installed" };
  const dir = mkdtempSync(join(tmpdir(), "captions-live-"));
  const adapterEvents: AdapterEvent[] = [];
  const sfu = await startSfu({ appId: CALLS_APP_ID, appSecret: ensureLocalSecrets().CALLS_APP_SECRET!, onAdapterEvent: (event, fields) => adapterEvents.push({ event, fields }) });
  const stt = await startSttStandIn({});
  const browsers: Browser[] = [];
  let stack: Awaited<ReturnType<typeof startStack>> | undefined;
  try {
    const clip = speechLoop(dir);
    log("Starting the stack (wrangler dev, local D1 with the demo people)…");
    stack = await startStack({ build: false, freshDatabase: true, captions: false, log, vars: { CALLS_API_BASE: sfu.url, CALLS_APP_ID, STT_WS_URL: stt.url } });
    const hostBrowser = await launchChromium({ fakeAudioFile: clip.file });
    browsers.push(hostBrowser);
    const listenerBrowser = await launchChromium();
    browsers.push(listenerBrowser);
    const runs: LiveRep[] = [];
    const failures: string[] = [];
    for (let rep = 0; rep < reps; rep++) {
      log(`live rep ${rep + 1}/${reps}…`);
      // A rep that fails (a page wait timing out on a saturated machine) is reported, not hidden, and the others still count.
      await liveRep({ url: stack.url, hostBrowser, listenerBrowser, adapterEvents, clip }, loops, log).then(
        (run) => runs.push(run),
        (error: unknown) => failures.push(`rep ${rep + 1}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`),
      );
    }
    if (runs.length === 0) return { skipped: `every rep failed (${failures.join("; ")})` };
    const all = runs.flatMap((run) => run.speechEndToFinalMs);
    const { file: _file, ...clipFigures } = clip;
    return {
      loopsPerRep: loops,
      clip: clipFigures,
      speechEndToFinalP50Ms: spreadOf(runs.map((run) => percentile(run.speechEndToFinalMs, 50))),
      speechEndToFinalP95Ms: spreadOf(runs.map((run) => percentile(run.speechEndToFinalMs, 95))),
      pooled: { p50: percentile(all, 50), p95: percentile(all, 95), samples: all.length, missed: runs.reduce((sum, run) => sum + run.missedFinals, 0) },
      publishToAdapterAudioMs: spreadOf(runs.map((run) => run.publishToAdapterAudioMs)),
      adapterNewToFirstPacketMs: spreadOf(runs.map((run) => run.adapterNewToFirstPacketMs)),
      anchorErrorMs: spreadOf(runs.flatMap((run) => run.anchorErrorMs)),
      utteranceEndAfterSpeechEndMs: spreadOf(runs.flatMap((run) => run.utteranceEndAfterSpeechEndMs)),
      failures,
      reps: runs,
    };
  } finally {
    await Promise.allSettled(browsers.map((browser) => browser.close()));
    await stack?.stop();
    await Promise.allSettled([sfu.close(), stt.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

const loadAverageBefore = loadavg()[0]!;
const pipeline = await measurePipeline(minutes, reps, log);
const live = await measureLive();
const git = (args: string[]) => execFileSync("git", args).toString().trim();
const results: CaptionsResults = {
  measuredAt: new Date().toISOString(),
  commit: git(["rev-parse", "--short=12", "HEAD"]),
  dirty: git(["status", "--porcelain", "--untracked-files=no"]) !== "",
  node: process.version,
  machine: { cpuCores: availableParallelism(), loadAverageBefore, loadAverageAfter: loadavg()[0]! },
  reps,
  pipeline,
  live,
};
const out = process.env.CAPTIONS_BENCH_OUT || CAPTIONS_RESULTS_FILE;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
if (out === CAPTIONS_RESULTS_FILE) writeCaptionsReadme(results);
console.log(JSON.stringify({ ...results, live: "skipped" in live ? live : { ...live, reps: undefined } }, null, 2));
