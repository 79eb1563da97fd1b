// The bench's plan: probes, listeners, rates and repetitions of one run, with env overrides for quick development runs:
// BENCH_REPS (3), BENCH_SCALE (1 = 1k/5k listeners, 100 probes), BENCH_TARGETS (spaces,naive,ws), BENCH_AUDIO_RUNS (5),
// BENCH_OUT (bench/results/latest.json; the README is rewritten only from that file), BENCH_SHARDS (1; 0 skips the
// shard run, bench/shard-threshold.ts).
import { join, resolve } from "node:path";
import { REACTIONS_PER_SECOND } from "../worker/protocol/room.ts";

export type TargetName = "spaces" | "naive" | "ws";

export type BenchPlan = {
  /** Each figure is the median of this many repetitions, with their min and max. */
  reps: number;
  /** Timed joins per listener count per repetition. */
  probes: number;
  /** Unmeasured joins first, so the 0-listener figures are not a cold JIT's. */
  warmupJoins: number;
  fanoutListeners: number;
  maxListeners: number;
  rates: number[];
  sendMs: (rate: number) => number;
  drainCapMs: number;
  /** Sockets opened at once per load process while filling the room. */
  connectConcurrency: number;
  probeSockets: number;
  /** A peer that buffers an unbounded backlog is stopped here, before it takes the shared machine down with it. */
  rssCapBytes: number;
  loadProcesses: number;
  targets: TargetName[];
  audioRuns: number;
  /** Sockets per run of the socket-memory study (bench/socket-memory.ts). */
  socketMemorySockets: number;
  /** Whether the shard run (shards forced off vs on, bench/shard-threshold.ts) is part of this run. */
  shards: boolean;
  /** Where the results go; README.md is regenerated only when this is the recorded file. */
  out: string;
};

export const RESULTS_FILE = join(import.meta.dirname, "results", "latest.json");

const number = (value: string | undefined, fallback: number) => {
  const parsed = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(parsed) ? parsed : fallback;
};

export function planFromEnv(env: NodeJS.ProcessEnv = process.env): BenchPlan {
  const scale = number(env.BENCH_SCALE, 1);
  if (scale <= 0 || scale > 4) throw new Error(`BENCH_SCALE must be in (0, 4], got ${env.BENCH_SCALE}`);
  const targets = (env.BENCH_TARGETS ?? "spaces,naive,ws").split(",").map((t) => t.trim()) as TargetName[];
  for (const target of targets) {
    if (!["spaces", "naive", "ws"].includes(target)) throw new Error(`BENCH_TARGETS: unknown target ${target}`);
  }
  const fanoutListeners = Math.max(50, Math.round(1000 * scale));
  return {
    reps: Math.max(1, Math.round(number(env.BENCH_REPS, 3))),
    probes: Math.max(20, Math.round(100 * scale)),
    warmupJoins: 20,
    fanoutListeners,
    maxListeners: Math.max(fanoutListeners * 2, Math.round(5000 * scale)),
    // Senders are the listeners themselves: a rate above what they may send (the room's per-person limit) is dropped.
    rates: [1, 10, 100, 1000].filter((rate) => rate <= fanoutListeners * REACTIONS_PER_SECOND * 0.8),
    // 1/s runs longest (few reactions); 1000/s shortest (the peers drown).
    sendMs: (rate) => (rate <= 1 ? 5000 : rate >= 1000 ? 3000 : 4000),
    drainCapMs: 5000,
    connectConcurrency: 25,
    probeSockets: Math.min(50, fanoutListeners),
    rssCapBytes: 3 * 2 ** 30,
    loadProcesses: 2,
    targets,
    audioRuns: Math.max(0, Math.round(number(env.BENCH_AUDIO_RUNS, 5))),
    socketMemorySockets: Math.max(100, Math.round(500 * scale)),
    shards: env.BENCH_SHARDS !== "0" && targets.includes("spaces"),
    out: env.BENCH_OUT ? resolve(env.BENCH_OUT) : RESULTS_FILE,
  };
}
