// The bench's shard run: the same Spaces stack started twice, shards forced off (SHARD_THRESHOLD=off) and forced on
// (every listener after the host on a shard), joins and a reaction fan-out measured at a few room sizes in each, and
// the threshold read off: the smallest measured size from which shards are no worse (server CPU per delivered
// reaction, delivered share, join p50), or none. Locally every object shares one workerd process, so what shards save
// the room (one RPC per shard instead of a send per socket) cannot show here; the simulation models that part.
import type { FanoutFigures } from "./fanout.ts";
import { measureFanout } from "./fanout.ts";
import type { LoadPool } from "./load-pool.ts";
import type { BenchPlan } from "./plan.ts";
import { startSpacesTarget } from "./spaces-target.ts";
import { percentile, spreadOf, type Spread } from "./stats.ts";

export type ShardMode = "off" | "on";
export type ShardRun = { mode: ShardMode; listeners: number; joinP50: number; fanout: FanoutFigures };
export type ShardSizeSummary = {
  listeners: number;
  off: { joinP50: Spread; cpuMicrosPerDelivered: Spread; deliveredShare: Spread; delayP50: Spread };
  on: { joinP50: Spread; cpuMicrosPerDelivered: Spread; deliveredShare: Spread; delayP50: Spread };
  /** Shards measured no worse here: CPU per delivered reaction and join p50 within 5 %, delivered share not lower. */
  shardsNoWorse: boolean;
};
export type ShardThresholdFigures = {
  rate: number;
  sizes: number[];
  runs: ShardRun[];
  summary: ShardSizeSummary[];
  /** The smallest measured size from which shards were no worse at it and every larger size; null: none was. */
  threshold: number | null;
  failure: string | null;
};

/** Room sizes of the shard run: a quarter of the fan-out audience and the whole of it (1000 at scale 1). */
export const shardSizes = (plan: BenchPlan) => [Math.max(20, Math.round(plan.fanoutListeners / 4)), plan.fanoutListeners];
export const SHARD_RATE = 100;
const TOLERANCE = 1.05;

const cpuPerDelivered = (f: FanoutFigures) => (f.deliveredReactions > 0 ? (f.serverCpuSeconds * 1e6) / f.deliveredReactions : Number.NaN);

export function summarizeShards(runs: ShardRun[], sizes: number[]): { summary: ShardSizeSummary[]; threshold: number | null } {
  const side = (mode: ShardMode, listeners: number) => {
    const mine = runs.filter((r) => r.mode === mode && r.listeners === listeners);
    return {
      joinP50: spreadOf(mine.map((r) => r.joinP50)),
      cpuMicrosPerDelivered: spreadOf(mine.map((r) => cpuPerDelivered(r.fanout))),
      deliveredShare: spreadOf(mine.map((r) => r.fanout.deliveredShare)),
      delayP50: spreadOf(mine.map((r) => r.fanout.delayP50)),
    };
  };
  const summary = sizes.map((listeners) => {
    const off = side("off", listeners);
    const on = side("on", listeners);
    const shardsNoWorse =
      on.cpuMicrosPerDelivered.median <= off.cpuMicrosPerDelivered.median * TOLERANCE &&
      on.joinP50.median <= off.joinP50.median * TOLERANCE &&
      on.deliveredShare.median >= off.deliveredShare.median - 0.001;
    return { listeners, off, on, shardsNoWorse };
  });
  let threshold: number | null = null;
  for (let i = summary.length - 1; i >= 0 && summary[i]!.shardsNoWorse; i--) threshold = summary[i]!.listeners;
  return { summary, threshold };
}

/** Runs both modes, `plan.reps` times each, and reads the threshold off. */
export async function measureShardThreshold(pool: LoadPool, plan: BenchPlan, cores: number, log: (line: string) => void): Promise<ShardThresholdFigures> {
  const sizes = shardSizes(plan);
  const largest = sizes[sizes.length - 1]!;
  const probes = Math.max(10, Math.round(plan.probes / 5));
  const runs: ShardRun[] = [];
  let failure: string | null = null;
  for (const mode of ["off", "on"] as const) {
    const say = (line: string) => log(`shards ${mode}: ${line}`);
    const users = plan.reps * (largest + probes * sizes.length) + plan.warmupJoins + 100;
    const target = await startSpacesTarget(users, say, { SHARD_THRESHOLD: mode === "on" ? "1" : "off" });
    try {
      await pool.connect(await target.socketTargets(plan.warmupJoins, "probe"), 1, false);
      for (let rep = 0; rep < plan.reps; rep++) {
        let connected = 0;
        for (const listeners of sizes) {
          while (connected < listeners) {
            const chunk = Math.min(1000, listeners - connected);
            const joined = await pool.connect(await target.socketTargets(chunk, "listener"), plan.connectConcurrency, true);
            if (joined.failed > 0) throw new Error(`${joined.failed} listeners failed to join: ${joined.errors.join("; ")}`);
            connected += chunk;
          }
          const probe = await pool.connect(await target.socketTargets(probes, "probe"), 1, false);
          const joinP50 = percentile(probe.connectMs, 50);
          const fanout = await measureFanout({
            pool, plan: { ...plan, fanoutListeners: listeners, probeSockets: Math.min(plan.probeSockets, listeners) }, pid: target.serverPid, targetName: `shards ${mode} run ${rep + 1} at ${listeners}`,
            rate: SHARD_RATE, cores, log,
          });
          runs.push({ mode, listeners, joinP50, fanout });
          say(`run ${rep + 1}/${plan.reps} at ${listeners} listeners: join p50 ${joinP50.toFixed(1)} ms, ${cpuPerDelivered(fanout).toFixed(2)} µs server CPU per delivered reaction`);
        }
        await pool.closeAll();
      }
    } catch (error) {
      failure = `${mode}: ${error instanceof Error ? error.message : String(error)}`;
      say(`stopped early: ${failure}`);
      await pool.closeAll().catch(() => {});
    } finally {
      await target.stop();
    }
    if (failure) break;
  }
  const { summary, threshold } = summarizeShards(runs, sizes);
  log(`shards: ${threshold === null ? `no worse at none of ${sizes.join("/")} listeners: SHARD_THRESHOLD stays off` : `no worse from ${threshold} listeners`}`);
  return { rate: SHARD_RATE, sizes, runs, summary, threshold, failure };
}

export function renderShardThreshold(figures: ShardThresholdFigures | null | undefined): string {
  if (!figures) return "_The results file has no shard run._";
  const f = (s: Spread, digits: number, scale = 1) => `${(s.median * scale).toFixed(digits)} (${(s.min * scale).toFixed(digits)}–${(s.max * scale).toFixed(digits)})`;
  const lines = [
    `| listeners | shards | join p50 ms | server CPU µs per delivered reaction (${figures.rate}/s) | delivered % | delay p50 ms |`,
    "|---:|---|---:|---:|---:|---:|",
  ];
  for (const size of figures.summary) {
    for (const mode of ["off", "on"] as const) {
      const m = size[mode];
      lines.push(`| ${size.listeners} | ${mode} | ${f(m.joinP50, 1)} | ${f(m.cpuMicrosPerDelivered, 2)} | ${f(m.deliveredShare, 1, 100)} | ${f(m.delayP50, 0)} |`);
    }
  }
  lines.push(
    "",
    figures.threshold === null
      ? `Shards measured no worse at none of ${figures.sizes.join(" and ")} listeners on this machine, so \`SHARD_THRESHOLD\` stays \`off\` by default.`
      : `Shards measured no worse from ${figures.threshold} listeners (CPU per delivered reaction and join p50 within 5 %, delivered share not lower).`,
  );
  if (figures.failure) lines.push(`The shard run stopped early: ${figures.failure}`);
  return lines.join("\n");
}
