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
  join: "ms from the start of a join to the first (snapshot) frame: for Spaces POST /join with the listener's session, then new WebSocket() with its token; the peers have no join call; sequential probes from a load process of their own that holds no audience (a listener's device does not receive thousands of other sockets' frames), each closed after its snapshot",
  delivered: "each load process sends under its own emoji (a sender stream); per listener and per sender, min(reactions seen, reactions sent) is summed; delivered share = that sum / (sent × listeners). Coalesced frames count each reaction they carry",
  framesPerListenerPerSecond: "mean: frames all listeners received from the start of sending until the counts were read right after the send window, divided by listeners and the window's seconds. A fence-post: a frame every 250 ms puts floor(T/250)+1 frames in T ms (13 in 3 s: 4.33/s), so this mean is not the cap's figure; peakFramesPerSecond is",
  peakFramesPerSecond: "what the cap bounds: the most frames (of any type) one probe socket received within any 1 s, i.e. in a half-open window [t, t + 1000 ms), over the send window and the drain; receive times are taken in the load process, so its own event-loop lag is part of it",
  framesPerDeliveredReaction: "all frames received (send + drain) divided by delivered reactions. For a room with a 4-a-second cap and a reaction in a quiet room sent at once, a burst of T s at r/s costs about 1 + 4T frames for rT reactions: at 100/s over 4 s that is 17/400 = 0.0425 (23.5× fewer than one frame per reaction); 4/r = 0.040 (25×) is only the long-burst limit",
  steadyFramesPerDeliveredReaction: "on probe sockets: frames received strictly between a burst's first and last reactions frames, divided by the reactions those frames carried. The first frame (sent at once in a quiet room, as the issue asks) and the last (only the remainder that came in after the frame before it, when the senders stop) are the burst's edges; without them this is the cost per reaction while a burst goes on, whatever the burst's length: the figure the 25× goal (4 frames a second against 100 reactions) is about. With the 260 ms gap it is about 1/26 at 100/s",
  shortestFiveFrameSpanMs: "on probe sockets: the shortest time over which one socket received 5 frames in a row (under 1000 ms = a fifth frame within a second); how much room the cap had",
  deliveredPerCpuSecond: "delivered reactions per CPU second of the server process (utime+stime from /proc) over send + drain",
  delay: "ms from a reaction's send to the frame that brought it, on probe sockets; per sender, the k-th reaction seen ↔ the k-th sent",
  loadBound: "† on a row: in at least one repetition the busiest load process used ≥ 85% of a core, or the machine was busy (≥ 90% of all cores) and the load generator used more CPU than the server",
  contended: "‡ on a row: in at least one repetition the whole machine was ≥ 90% busy (/proc/stat) while the server and the load generator together used under half of it",
  shards: "the same stack twice, SHARD_THRESHOLD off and 1 (every listener after the host on a shard); per room size, join p50 of fresh probes and a 100/s fan-out; shards count as no worse at a size when server CPU per delivered reaction and join p50 are within 5 % of off and the delivered share is not lower; the threshold is the smallest size from which that holds at every larger measured size",
  memory: "RSS growth of the server process while listeners connected, divided by those listeners (first 1k from an empty room; then the marginal cost from 1k to 5k); from run 1 only, on a fresh process, because RSS is a high-water mark and later runs reuse the memory freed by run 1's sockets. The isolate JS heap rows are read after a GC in every run",
};
