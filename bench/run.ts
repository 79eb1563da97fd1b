// `npm run bench`: measures the real Spaces room side by side with a naive workerd broadcast room and a plain Node ws
// server under the same load, `plan.reps` times each, prints one table and writes one results file (with the git commit
// and date); from the recorded file (bench/results/latest.json) it also regenerates the README's tables.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname } from "node:path";
import { measureAudioJoin, type AudioJoinFigures } from "./audio-join.ts";
import { fitCosts, measureMicroCosts, type MicroCosts } from "./costs.ts";
import { LoadPool } from "./load-pool.ts";
import { planFromEnv, RESULTS_FILE, type TargetName } from "./plan.ts";
import { writeReadme } from "./readme.ts";
import { checkGoals, renderTable, summarize } from "./report.ts";
import { DEFINITIONS, type BenchResults } from "./results.ts";
import { measureTarget, type TargetFigures } from "./scenario.ts";
import { measureShardThreshold, renderShardThreshold, shardSizes, type ShardThresholdFigures } from "./shard-threshold.ts";
import { measureSocketMemory } from "./socket-memory.ts";
import { startSpacesTarget } from "./spaces-target.ts";
import { startNaiveRoom, startWsPeer, type BenchTarget } from "./targets.ts";

// A guard against a wedged run, not the target: the plan is sized for about 10 minutes on a quiet 2-core machine.
const TIME_BUDGET_MS = 20 * 60_000;
const plan = planFromEnv();
const cores = cpus().length;
// Spaces users: per repetition the fan-out audience twice (a fresh one after a backlog), the largest audience and
// three rounds of join probes; plus warm-up joins and room to spare.
const SPACES_USERS = plan.reps * (2 * plan.fanoutListeners + plan.maxListeners + 3 * plan.probes) + plan.warmupJoins + 1000;

const startedAt = Date.now();
const clock = () => {
  const seconds = Math.floor((Date.now() - startedAt) / 1000);
  return `${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
};
const log = (line: string) => console.log(`[bench ${clock()}] ${line}`);

const pool = new LoadPool(plan.loadProcesses);
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

function gitState(): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "worker", "bench", "wrangler.toml"], { encoding: "utf8" }).trim() !== "";
    return { commit, dirty };
  } catch {
    return { commit: "unknown", dirty: true };
  }
}

const starters: Record<TargetName, () => Promise<BenchTarget>> = {
  spaces: () => startSpacesTarget(SPACES_USERS, log),
  naive: () => startNaiveRoom(log),
  ws: () => startWsPeer(log),
};

try {
  const git = gitState();
  log(
    `plan: ${plan.reps} runs of: joins at 0/${plan.fanoutListeners}/${plan.maxListeners} listeners (${plan.probes} probes each), ` +
      `fan-out at ${plan.rates.join("/")} reactions/s to ${plan.fanoutListeners} listeners; targets ${plan.targets.join(", ")}; ` +
      `${plan.loadProcesses} load processes, ${cores} CPU cores; commit ${git.commit.slice(0, 12)}${git.dirty ? " (uncommitted changes)" : ""}`,
  );
  const figures: TargetFigures[] = [];
  let audio: AudioJoinFigures | { error: string } | null = null;
  let micro: MicroCosts | null = null;
  let shards: ShardThresholdFigures | null = null;
  // Spaces first: the table's ratios are Spaces against each peer.
  for (const name of (["spaces", "naive", "ws"] as const).filter((t) => plan.targets.includes(t))) {
    current = await starters[name]();
    log(`${name}: ${current.label} ready (server pid ${current.serverPid})`);
    try {
      const result = await measureTarget(current, pool, plan, cores, log);
      if (result.failure) log(`${name}: server output (tail):\n${current.diagnostics?.() ?? "(none)"}`);
      figures.push(result);
      if (current.audio && plan.audioRuns > 0) {
        log("audio: listener join → first received audio in Chromium…");
        audio = await measureAudioJoin(current.audio, { runs: plan.audioRuns, log: (line) => log(`audio: ${line}`) }).catch((error: unknown) => {
          log(`audio: failed: ${String(error)}`);
          return { error: String(error) };
        });
      }
      if (current.micro) micro = await measureMicroCosts(current.micro, log);
    } finally {
      await current.stop();
      current = null;
    }
    if (name === "spaces" && plan.shards) {
      log(`shards: the Spaces stack with shards forced off, then on, at ${shardSizes(plan).join("/")} listeners…`);
      shards = await measureShardThreshold(pool, plan, cores, log);
    }
  }

  log(`socket memory: ${plan.reps} fresh workerd processes per way of holding ${plan.socketMemorySockets} sockets…`);
  const socketMemory = await measureSocketMemory(plan.socketMemorySockets, plan.reps, log).catch((error: unknown) => {
    log(`socket memory: failed: ${String(error)}`);
    return null;
  });
  const rows = summarize(figures);
  const goals = checkGoals(figures, rows);
  const spaces = figures.find((f) => f.name === "spaces");
  const results: BenchResults = {
    version: 2,
    commit: git.commit,
    dirty: git.dirty,
    measuredAt: new Date(startedAt).toISOString(),
    durationSeconds: (Date.now() - startedAt) / 1000,
    machine: { cpuCores: cores, cpuModel: cpus()[0]?.model ?? "unknown", node: process.version },
    plan: { ...plan, sendMs: Object.fromEntries(plan.rates.map((rate) => [rate, plan.sendMs(rate)])) },
    definitions: DEFINITIONS,
    targets: figures,
    goals,
    audio,
    socketMemory,
    costs: spaces ? fitCosts(spaces, micro) : null,
    shards,
  };
  console.log(`\n${renderTable(figures, rows)}\n† the load generator, not the server, was the bottleneck in at least one run; ‡ other processes saturated the machine\n`);
  if (shards) console.log(`${renderShardThreshold(shards)}\n`);
  for (const goal of goals) {
    console.log(`${goal.met ? "met    " : "NOT met"}  ${goal.goal}: ${goal.measured === null ? "–" : goal.measured.toFixed(1)}`);
  }
  mkdirSync(dirname(plan.out), { recursive: true });
  writeFileSync(plan.out, JSON.stringify(results, null, 2) + "\n");
  log(`wrote ${plan.out} (bench took ${results.durationSeconds.toFixed(0)} s)`);
  if (plan.out === RESULTS_FILE) {
    writeReadme(results);
    log("regenerated the README's bench and simulation tables from it");
  }
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
} finally {
  clearTimeout(overBudget);
  await cleanup();
}
