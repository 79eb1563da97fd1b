// The shape of the one results file a bench run writes (bench/results/latest.json) and what each figure means.
// The README's tables are generated from this file alone (bench/readme.ts).
import type { AudioJoinFigures } from "./audio-join.ts";
import type { Costs } from "./costs.ts";
import type { GoalCheck } from "./report.ts";
import type { TargetFigures } from "./scenario.ts";
import type { ShardThresholdFigures } from "./shard-threshold.ts";
import type { SocketMemory } from "./socket-memory.ts";

export type BenchResults = {
  version: 2;
  /** The commit the bench ran on; `dirty` when worker/, bench/ or wrangler.toml had uncommitted changes. */
  commit: string;
  dirty: boolean;
  measuredAt: string;
  durationSeconds: number;
  machine: { cpuCores: number; cpuModel: string; node: string };
  plan: Record<string, unknown>;
  definitions: Record<string, string>;
  /** In table order: Spaces first, then the peers. */
  targets: TargetFigures[];
  goals: GoalCheck[];
  audio: AudioJoinFigures | { error: string } | null;
  /** RSS per socket in local workerd held three ways, from a bare Miniflare Worker (bench/socket-memory.ts). */
  socketMemory: SocketMemory[] | null;
  /** Per-operation costs on this machine, the inputs of `npm run sim:fanout`. */
  costs: Costs | null;
  /** Shards forced off vs on at a few room sizes, and the threshold read off (bench/shard-threshold.ts); absent in
   *  files written before the shard run existed. */
  shards?: ShardThresholdFigures | null;
};

export const DEFINITIONS: Record<string, string> = {
  runs: "every figure is the median of the repetitions (plan.reps), shown with their min–max; each repetition repeats the whole sequence on the same server process",
  join: "ms from the start of a join to the first (snapshot) frame: for Spaces POST /join with the listener's session, then new WebSocket() with its token; the peers have no join call; sequential probes, each closed after its snapshot",
  delivered: "each load process sends under its own emoji (a sender stream); per listener and per sender, min(reactions seen, reactions sent) is summed; delivered share = that sum / (sent × listeners). Coalesced frames count each reaction they carry",
  framesPerListenerPerSecond: "frames all listeners received while reactions were being sent, divided by listeners and send seconds",
  framesPerDeliveredReaction: "all frames received (send + drain) divided by delivered reactions",
  deliveredPerCpuSecond: "delivered reactions per CPU second of the server process (utime+stime from /proc) over send + drain",
  delay: "ms from a reaction's send to the frame that brought it, on probe sockets; per sender, the k-th reaction seen ↔ the k-th sent",
  loadBound: "† on a row: in at least one repetition the busiest load process used ≥ 85% of a core, or the machine was busy (≥ 90% of all cores) and the load generator used more CPU than the server",
  contended: "‡ on a row: in at least one repetition the whole machine was ≥ 90% busy (/proc/stat) while the server and the load generator together used under half of it",
  shards: "the same stack twice, SHARD_THRESHOLD off and 1 (every listener after the host on a shard); per room size, join p50 of fresh probes and a 100/s fan-out; shards count as no worse at a size when server CPU per delivered reaction and join p50 are within 5 % of off and the delivered share is not lower; the threshold is the smallest size from which that holds at every larger measured size",
  memory: "RSS growth of the server process while listeners connected, divided by those listeners (first 1k from an empty room; then the marginal cost from 1k to 5k); from run 1 only, on a fresh process, because RSS is a high-water mark and later runs reuse the memory freed by run 1's sockets. The isolate JS heap rows are read after a GC in every run",
};
