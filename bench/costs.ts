// Per-operation costs on this machine for `npm run sim:fanout`: the room's CPU per socket send and per incoming
// reaction, fitted to the bench's own fan-out runs, plus a Durable Object RPC and a frame encode measured in workerd.
import { median, spreadOf, type Spread } from "./stats.ts";
import { cpuSeconds } from "./proc-stats.ts";
import type { TargetFigures } from "./scenario.ts";
import type { MicroTarget } from "./targets.ts";


export type MicroCosts = { rpcMicros: Spread; encodeMicros: Spread; rpcPayloadBytes: number };

export type Costs = {
  /** Room CPU per frame sent to one socket (serialization shared, the send itself per socket). */
  sendPerSocketMicros: number;
  /** Room CPU per reaction received (parse, rate check, batch). */
  receivePerReactionMicros: number;
  /** One DO-to-DO RPC carrying a reactions frame, caller and callee together (both run in one workerd locally). */
  rpcMicros: number | null;
  /** JSON.stringify of one reactions frame. */
  encodeMicros: number | null;
  /** Marginal RSS of one connected socket in local workerd (the Spaces room, 1k → 5k). */
  bytesPerSocketLocal: number;
  /** Marginal V8 heap of one listener in the room's isolate (1k → 5k), when the bench could read it. */
  heapBytesPerListener?: number | null;
  fit: { points: number; method: string };
  micro: MicroCosts | null;
};

const REPEATS = 3;

async function timed(target: MicroTarget, path: string, n: number): Promise<number> {
  const before = cpuSeconds(target.pid);
  const response = await fetch(`${target.url}${path}?n=${n}`);
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  await response.text();
  return ((cpuSeconds(target.pid) - before) * 1e6) / n;
}

/** RPC and encode costs, each the median of a few batches large enough for /proc's 10 ms CPU ticks. */
export async function measureMicroCosts(target: MicroTarget, log: (line: string) => void): Promise<MicroCosts> {
  await timed(target, "/micro/rpc", 500);
  const rpc: number[] = [];
  const encode: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    rpc.push(await timed(target, "/micro/rpc", 5000));
    encode.push(await timed(target, "/micro/encode", 50_000));
  }
  const costs = { rpcMicros: spreadOf(rpc), encodeMicros: spreadOf(encode), rpcPayloadBytes: 300 };
  log(`micro: DO RPC ${costs.rpcMicros.median.toFixed(1)} µs, frame encode ${costs.encodeMicros.median.toFixed(2)} µs (median of ${REPEATS})`);
  return costs;
}

/**
 * Least squares without intercept over every Spaces fan-out run: cpu = receive × reactions in + send × frames out.
 * The rates differ 1000-fold in reactions but little in frames (they are capped), so the two separate well.
 */
export function fitSendAndReceive(points: { reactions: number; frames: number; cpuSeconds: number }[]): { send: number; receive: number } {
  let rr = 0, ff = 0, rf = 0, rc = 0, fc = 0;
  for (const p of points) {
    const cpu = p.cpuSeconds * 1e6;
    rr += p.reactions * p.reactions;
    ff += p.frames * p.frames;
    rf += p.reactions * p.frames;
    rc += p.reactions * cpu;
    fc += p.frames * cpu;
  }
  const det = rr * ff - rf * rf;
  if (points.length < 2 || det === 0) return { send: ff > 0 ? fc / ff : Number.NaN, receive: 0 };
  const receive = (rc * ff - fc * rf) / det;
  const send = (fc * rr - rc * rf) / det;
  // A negative share means the runs cannot tell the two apart: charge everything to sends (the dominant, safe side).
  if (receive < 0 || send < 0) return { send: fc / ff, receive: 0 };
  return { send, receive };
}

export function fitCosts(spaces: TargetFigures, micro: MicroCosts | null): Costs {
  const runs = spaces.reps.flatMap((rep) => rep.fanout).filter((f) => !f.censored && !f.aborted && f.frames > 0);
  const { send, receive } = fitSendAndReceive(runs.map((f) => ({ reactions: f.sent, frames: f.frames, cpuSeconds: f.serverCpuSeconds })));
  // The marginal figures (1k → 5k) when the runs got that far, else the first fill's.
  // RSS only from run 1 (a fresh process; later runs reuse freed memory); the heap after a GC from every run.
  const pick = (memory: TargetFigures["reps"][number]["memory"]) =>
    memory.some((m) => m.added < m.listeners) ? memory.filter((m) => m.added < m.listeners) : memory;
  const marginal = pick(spaces.reps[0]?.memory ?? []).map((m) => m.bytesPerListener);
  const heap = pick(spaces.reps.flatMap((rep) => rep.memory)).flatMap((m) => (m.heapBytesPerListener === null ? [] : [m.heapBytesPerListener]));
  return {
    sendPerSocketMicros: send,
    receivePerReactionMicros: receive,
    rpcMicros: micro?.rpcMicros.median ?? null,
    encodeMicros: micro?.encodeMicros.median ?? null,
    bytesPerSocketLocal: median(marginal),
    heapBytesPerListener: heap.length ? median(heap) : null,
    fit: { points: runs.length, method: "least squares, no intercept: room CPU = receive × reactions in + send × frames out" },
    micro,
  };
}
