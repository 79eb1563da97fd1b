// `npm run bench`: measures the real Spaces room side by side with a naive workerd broadcast room and a plain Node ws
// server under the same load, prints one table and writes bench/results/latest.json. Loopback only, under 10 minutes.
import { mkdirSync, writeFileSync } from "node:fs";
import { measureAudioJoin, type AudioJoinFigures } from "./audio-join.ts";
import { cpus } from "node:os";
import { join } from "node:path";
import { LoadPool } from "./load-pool.ts";
import { checkTargets, renderTable } from "./report.ts";
import { measureTarget, type BenchPlan, type TargetFigures } from "./scenario.ts";
import { startSpacesTarget } from "./spaces-target.ts";
import { startNaiveRoom, startWsPeer, type BenchTarget } from "./targets.ts";

const TIME_BUDGET_MS = 9.5 * 60_000;
const LOAD_PROCESSES = 2;
const AUDIO_RUNS = 5;

const plan: BenchPlan = {
  probes: 200,
  warmupJoins: 20,
  fanoutListeners: 1000,
  maxListeners: 5000,
  rates: [10, 100, 1000],
  // Longer runs at the low rates keep the trailing coalesced frame from skewing frames per reaction.
  sendMs: (rate) => (rate >= 1000 ? 3000 : 8000),
  drainCapMs: 10_000,
  connectConcurrency: 25,
  probeSockets: 50,
  rssCapBytes: 3 * 2 ** 30,
};
// Spaces users: two fills of the fan-out audience, the 5k audience and three rounds of join probes, with room to spare.
const SPACES_USERS = 2 * plan.fanoutListeners + plan.maxListeners + 3 * plan.probes + 2 * plan.warmupJoins + 1000;

const startedAt = Date.now();
const clock = () => {
  const seconds = Math.floor((Date.now() - startedAt) / 1000);
  return `${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
};
const log = (line: string) => console.log(`[bench ${clock()}] ${line}`);

const pool = new LoadPool(LOAD_PROCESSES);
let current: BenchTarget | null = null;
const cleanup = async () => {
  pool.stop();
  await current?.stop().catch(() => {});
};
const overBudget = setTimeout(async () => {
  log(`stopping: the run passed its ${TIME_BUDGET_MS / 60_000} minute budget`);
  await cleanup();
  process.exit(1);
}, TIME_BUDGET_MS);
overBudget.unref();
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void cleanup().then(() => process.exit(130)));

/** Join → first received audio in Chromium (bench/audio-join.ts) on the Spaces stack the bench already runs. */
async function audioSection(spaces: BenchTarget): Promise<AudioJoinFigures | null> {
  if (!spaces.audio) return null;
  log("audio: measuring listener join → first received audio in Chromium…");
  const result = await measureAudioJoin(spaces.audio, { runs: AUDIO_RUNS, log: (line) => log(`audio: ${line}`) });
  log(`audio: ${JSON.stringify(result)}`);
  return result;
}

async function measure(start: () => Promise<BenchTarget>, after?: (target: BenchTarget) => Promise<void>): Promise<TargetFigures> {
  current = await start();
  log(`${current.name}: ${current.label} ready (server pid ${current.serverPid})`);
  try {
    const figures = await measureTarget(current, pool, plan, log);
    if (figures.failure) log(`${current.name}: server output (tail):\n${current.diagnostics?.() ?? "(none)"}`);
    await after?.(current);
    return figures;
  } finally {
    await current.stop();
    current = null;
  }
}

try {
  log(`plan: joins at 0/${plan.fanoutListeners}/${plan.maxListeners} listeners, fan-out at ${plan.rates.join("/")} reactions/s with ${plan.fanoutListeners} listeners, ${LOAD_PROCESSES} load processes, ${cpus().length} CPU cores`);
  let audio: AudioJoinFigures | { error: string } | null = null;
  const spaces = await measure(
    () => startSpacesTarget(SPACES_USERS, log),
    async (target) => {
      audio = await audioSection(target).catch((error: unknown) => {
        log(`audio: failed: ${String(error)}`);
        return { error: String(error) };
      });
    },
  );
  const naive = await measure(() => startNaiveRoom(log));
  const ws = await measure(() => startWsPeer(log));

  const table = renderTable(spaces, [naive, ws]);
  const targets = checkTargets(spaces, naive);
  console.log(`\n${table}\n`);
  for (const target of targets) {
    console.log(`${target.met ? "met    " : "NOT met"}  ${target.goal}: ${target.measured === null ? "–" : target.measured.toFixed(1)}`);
  }
  const audioFigures = audio as Partial<AudioJoinFigures> | null;
  if (audioFigures?.joinToFirstAudioMs) {
    console.log(
      `\naudio (Chromium, ${AUDIO_RUNS} listener joins): join → first audio p50 ${audioFigures.joinToFirstAudioMs.p50} ms, ` +
        `page open → first audio p50 ${audioFigures.openToFirstAudioMs?.p50} ms, Calls API calls per join ${audioFigures.callsPerListenerJoin}`,
    );
  }
  const durationSeconds = (Date.now() - startedAt) / 1000;
  console.log(`\nbench took ${durationSeconds.toFixed(0)} s`);

  const resultsDir = join(import.meta.dirname, "results");
  mkdirSync(resultsDir, { recursive: true });
  const results = {
    measuredAt: new Date(startedAt).toISOString(),
    durationSeconds,
    machine: { cpuCores: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", node: process.version },
    plan: { ...plan, sendMs: Object.fromEntries(plan.rates.map((rate) => [rate, plan.sendMs(rate)])), loadProcesses: LOAD_PROCESSES },
    definitions: {
      join: "ms from new WebSocket() in the client to its first (snapshot) frame; sequential probes, each closed after its snapshot",
      framesPerListenerPerSecond: "frames all listeners received while reactions were being sent, divided by listeners and send seconds",
      framesPerDeliveredReaction: "all frames received (send + drain) divided by all reactions they carried",
      deliveredPerCpuSecond: "reactions counted by all listeners (a coalesced frame counts each reaction it carries) per CPU second of the server process (utime+stime from /proc) over send + drain",
      delay: "ms from a reaction's send to the frame that brought it, on probe sockets; k-th reaction counted ↔ k-th sent",
      memory: "RSS growth of the server process while the listeners connected, divided by listeners",
    },
    targets: { spaces, naive, ws },
    goals: targets,
    audio,
    table,
  };
  writeFileSync(join(resultsDir, "latest.json"), JSON.stringify(results, null, 2) + "\n");
  log("wrote bench/results/latest.json");
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
} finally {
  clearTimeout(overBudget);
  await cleanup();
}
