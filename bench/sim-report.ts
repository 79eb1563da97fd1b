// Renders the fan-out simulation (bench/fanout-model.ts) for 10k, 100k and 1M listeners from the costs in one bench
// results file: the Markdown `npm run sim:fanout` prints and the README carries, with the model's assumptions.
import { DEFAULT_LIMITS, planTree, type ModelCosts, type ModelLoad } from "./fanout-model.ts";
import type { BenchResults } from "./results.ts";

export const SIM_AUDIENCES = [10_000, 100_000, 1_000_000];
export const SIM_LOAD = { reactionsPerSecond: 1000, stageChangesPerSecond: 1, flushesPerSecond: 4 };

/** The model's inputs from a results file, or why there are none. */
export function modelCosts(results: BenchResults): { costs: ModelCosts; heapSource: string } | { missing: string } {
  const c = results.costs;
  if (!c) return { missing: "the results file has no Spaces fan-out runs" };
  if (c.rpcMicros === null || c.encodeMicros === null) return { missing: "the results file has no micro costs (the naive room's Worker measures them)" };
  const heap = Number.isFinite(c.heapBytesPerListener) ? c.heapBytesPerListener! : null;
  if (heap === null && !Number.isFinite(c.bytesPerSocketLocal)) return { missing: "the results file has no memory per listener" };
  return {
    costs: {
      sendPerSocketMicros: c.sendPerSocketMicros,
      receivePerReactionMicros: c.receivePerReactionMicros,
      rpcMicros: c.rpcMicros,
      encodeMicros: c.encodeMicros,
      heapBytesPerListener: heap ?? c.bytesPerSocketLocal,
    },
    heapSource: heap !== null ? "the room's isolate JS heap per listener, after a GC" : "local workerd RSS per socket (no heap figure in this file)",
  };
}

const n = (value: number, digits = 0) => value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const short = (listeners: number) => (listeners >= 1e6 ? `${listeners / 1e6}M` : `${listeners / 1e3}k`);

export function renderSimulation(results: BenchResults): string {
  const found = modelCosts(results);
  if ("missing" in found) return `_No simulation: ${found.missing}._`;
  const { costs, heapSource } = found;
  const rows: string[] = [];
  let worst = 0;
  for (const listeners of SIM_AUDIENCES) {
    const load: ModelLoad = { listeners, ...SIM_LOAD };
    const tree = planTree(load, costs);
    tree.levels.forEach((level, i) => {
      worst = Math.max(worst, level.coreShare);
      rows.push(
        `| ${i === 0 ? `${short(listeners)} (depth ${tree.depth})` : ""} | ${level.kind} × ${n(level.count)} | ${n(level.sockets)} | ${n(level.children)} | ` +
          `${n(level.coreShare * 100, 1)}% | ${n(level.framesOutPerSecond)} | ${n(level.memoryBytes / 2 ** 20, 1)} MB | ${level.binding.limit}: ${n(level.binding.used * 100)}% |`,
      );
    });
  }
  const limits = DEFAULT_LIMITS;
  return [
    "| listeners | object × count | sockets each | children each | CPU (share of a core) | frames out/s | memory | closest limit: used |",
    "|---|---|---:|---:|---:|---:|---:|---|",
    ...rows,
    "",
    `Busiest object at any size: ${n(worst * 100, 1)}% of a core (goal ≤ ${limits.coreShare * 100}%).`,
    "",
    "Model and assumptions (inputs from the same results file as the table above):",
    `- Load: ${SIM_LOAD.reactionsPerSecond} reactions/s spread evenly over the listeners, ${SIM_LOAD.stageChangesPerSecond} stage change/s (one frame to everyone), ` +
      `reactions flushed ${SIM_LOAD.flushesPerSecond}×/s, so every listener gets ${SIM_LOAD.flushesPerSecond + SIM_LOAD.stageChangesPerSecond} frames/s.`,
    `- Measured here: send one frame to one socket ${n(costs.sendPerSocketMicros, 1)} µs and take one reaction ${n(costs.receivePerReactionMicros, 1)} µs ` +
      `(${results.costs!.fit.method}, over ${results.costs!.fit.points} Spaces fan-out runs); one DO RPC ${n(costs.rpcMicros, 1)} µs ` +
      `(caller + callee in one workerd, charged in full to both sides); encode one frame ${n(costs.encodeMicros, 2)} µs; ` +
      `memory per listener ${n(costs.heapBytesPerListener / 1024, 1)} KiB (${heapSource}).`,
    "- Tree: leaf shards hold the sockets, sized to 80% of the CPU goal and of the memory limit; relays and the room only pass " +
      "batches: every flush, one RPC up from each child (its listeners' reactions) and one down to each child (the merged frame), " +
      "each shard encodes once and sends to its own sockets. The room keeps counts and the stage, not listener identities. " +
      "The code builds this tree (`worker/space/space-shard.ts`): leaf shards under the room, and relay shards between them once " +
      "a region's leaf shards outnumber SHARD_FANOUT (children per object; its default, 99, is this model's relay size at 1M " +
      "when it was set), so the room calls the relays, not every shard; its leaves fill to SHARD_CAPACITY, not to this model's size. " +
      "Shards' count reports (on change, at most 5 a second, and a lease renewal every third of SHARD_LEASE_SECONDS) are not modelled.",
    `- Limits (Cloudflare docs): ${limits.memoryBytes / 2 ** 20} MB memory per isolate; soft limit ${limits.requestsPerSecond} requests/s per object ` +
      `(RPCs in counted as requests); "potentially over ${n(limits.socketMessagesPerSecond)}" WebSocket messages/s per object; ` +
      `${limits.subrequestsPerInvocation} subrequests per invocation (the paid plan allows more; one flush's RPCs to the children count against it); ` +
      "30 s CPU per request or message and 32 MiB per received WebSocket message (neither comes close: a flush is milliseconds, a frame under 1 KB). " +
      "The docs state no number of WebSockets per object; the model assumes none beyond CPU and memory.",
    "- Not modelled: network latency between objects (each level adds one RPC hop to a reaction's delay), hibernation wake-ups, " +
      "listener joins and leaves, uneven reaction sources, and production CPU speed (these costs are a 2-core local machine's).",
  ].join("\n");
}
