// One reaction fan-out run of `npm run bench`: paced reactions from the listeners themselves, counting what every
// listener sees of each sender, server and load-generator CPU from /proc, end-to-end delays on probe sockets, and a
// guard against runaway backlogs.
import { existsSync } from "node:fs";
import { REACTION_EMOJI } from "../worker/protocol/room.ts";
import type { LoadPool, SentAt } from "./load-pool.ts";
import type { BenchPlan } from "./plan.ts";
import { cpuSeconds, machineTicks, rssBytes } from "./proc-stats.ts";
import { percentile, sleep } from "./stats.ts";

export type FanoutFigures = {
  rate: number;
  listeners: number;
  sent: number;
  /** Frames each listener got per second while reactions were being sent (mean; see DEFINITIONS for its fence-post). */
  framesPerListenerPerSecond: number;
  /** The most frames any probe socket received within any one second (send and drain): what the 4-a-second cap bounds.
   *  Absent in files written before it existed. */
  peakFramesPerSecond?: number;
  /**
   * Frames per delivered reaction in a burst's steady state, on probe sockets: frames between the first and the last
   * reactions frame divided by the reactions they carried (see steadyFramesPerReaction). Absent in older files; files
   * recorded before this definition (a8bd26f's, for one) left out only the first frame.
   */
  steadyFramesPerDeliveredReaction?: number;
  /** The shortest time any probe socket took to receive 5 frames in a row (under 1000 ms = a fifth frame within a second). */
  shortestFiveFrameSpanMs?: number;
  /** All frames over all reactions delivered, after the drain (1.0 for a room that sends each reaction on its own). */
  framesPerDeliveredReaction: number;
  /** Per listener and per sender, min(seen, sent), summed: the same count for every target. */
  deliveredReactions: number;
  deliveredShare: number;
  /** Frames all listeners received (send + drain). */
  frames: number;
  serverCpuSeconds: number;
  deliveredPerCpuSecond: number;
  /** Server CPU per frame a listener received: what one socket send costs, so a broadcast costs listeners × this. */
  serverCpuMicrosPerFrame: number;
  /** The server's share of one core over the run (1 = a whole core). */
  serverCoreShare: number;
  loadGeneratorCpuSeconds: number;
  /** The busiest load process's share of one core over the run. */
  loadGeneratorPeakCoreShare: number;
  /** The load generator, not the server, was the limit: a load process near a full core, or it out-used a busy server. */
  loadBound: boolean;
  /** Share of all the machine's cores busy over the run, whoever used them. */
  machineBusyShare: number;
  /** The machine was saturated by other processes (≥ 90% busy while the server and load generator used under half). */
  contended: boolean;
  delayP50: number;
  delayP99: number;
  /** Not every reaction arrived before the drain cap: the delay percentiles only cover those that did. */
  censored: boolean;
  windowSeconds: number;
  /** Why sending stopped early (server RSS over the cap, or the server process died), if it did. */
  aborted: string | null;
  serverPeakRssBytes: number;
};

const now = () => performance.timeOrigin + performance.now();
export const alive = (pid: number) => existsSync(`/proc/${pid}/stat`);
/** A load process above this share of a core is taken to be the bottleneck. */
const LOAD_BOUND_SHARE = 0.85;

/** Delay of every reaction a probe saw: per sender (emoji), the k-th one counted ↔ the k-th one that sender sent. */
export function reactionDelays(sentAt: SentAt, timelines: number[][]): number[] {
  const sentByIndex = REACTION_EMOJI.map((emoji) => sentAt[emoji] ?? []);
  const delays: number[] = [];
  for (const timeline of timelines) {
    const seen = new Array<number>(REACTION_EMOJI.length).fill(0);
    for (let i = 0; i < timeline.length; i += 3) {
      const [receivedAt, emoji, cumulative] = [timeline[i]!, timeline[i + 1]!, timeline[i + 2]!];
      const sent = sentByIndex[emoji]!;
      for (let k = seen[emoji]!; k < cumulative && k < sent.length; k++) delays.push(receivedAt - sent[k]!);
      seen[emoji] = cumulative;
    }
  }
  return delays;
}

/**
 * The most frames one socket received within any one second: per socket, the largest number of receive times in a
 * half-open window [t, t + 1000 ms) starting at one of them (a window holding the most always can start at a frame).
 */
export function peakFramesInAnySecond(frameTimes: number[][]): number {
  let peak = 0;
  for (const times of frameTimes) {
    const sorted = [...times].sort((a, b) => a - b);
    let first = 0;
    for (let last = 0; last < sorted.length; last++) {
      while (sorted[last]! - sorted[first]! >= 1000) first++;
      peak = Math.max(peak, last - first + 1);
    }
  }
  return peak;
}

/**
 * Frames per reaction in a burst's steady state, per probe socket: frames strictly between its first and its last
 * reactions frame, over the reactions they carried. Both edges are left out: the first is the at-once frame of a quiet
 * room, the last carries only what came in since the frame before it (the remainder when the senders stop), so either
 * would make the figure depend on the burst's length rather than on the frame spacing. `timelines[i]` (flat
 * [at, emoji, cumulative] triples) and `frameTimes[i]` are the same socket's, stamped with one clock reading per frame.
 */
export function steadyFramesPerReaction(timelines: number[][], frameTimes: number[][]): number {
  let frames = 0;
  let reactions = 0;
  timelines.forEach((timeline, i) => {
    if (timeline.length === 0) return;
    const first = timeline[0]!;
    const last = timeline[timeline.length - 3]!;
    // Per emoji: the running total the first frame brought, and the one the last frame before the final one brought.
    const atFirst = new Map<number, number>();
    const beforeLast = new Map<number, number>();
    for (let k = 0; k < timeline.length; k += 3) {
      const [at, emoji, cumulative] = [timeline[k]!, timeline[k + 1]!, timeline[k + 2]!];
      if (at === first) atFirst.set(emoji, cumulative);
      if (at < last) beforeLast.set(emoji, cumulative);
    }
    for (const [emoji, cumulative] of beforeLast) reactions += cumulative - (atFirst.get(emoji) ?? 0);
    frames += (frameTimes[i] ?? []).filter((t) => t > first && t < last).length;
  });
  return reactions > 0 ? frames / reactions : Number.NaN;
}

/** The shortest span over which one socket received 5 frames in a row (Infinity when none got 5). */
export function shortestFiveFrameSpan(frameTimes: number[][]): number {
  let shortest = Number.POSITIVE_INFINITY;
  for (const times of frameTimes) {
    const sorted = [...times].sort((a, b) => a - b);
    for (let i = 0; i + 4 < sorted.length; i++) shortest = Math.min(shortest, sorted[i + 4]! - sorted[i]!);
  }
  return shortest;
}

/** Whether the load generator, not the server, limited a run (see FanoutFigures.loadBound). */
export function loadWasBottleneck(loadPeakShare: number, loadTotalShare: number, serverShare: number, cores: number): boolean {
  const machineBusy = loadTotalShare + serverShare >= 0.9 * cores;
  return loadPeakShare >= LOAD_BOUND_SHARE || (machineBusy && loadTotalShare > serverShare);
}

type FanoutRun = { pool: LoadPool; plan: BenchPlan; pid: number; targetName: string; rate: number; cores: number; log: (line: string) => void };

export async function measureFanout({ pool, plan, pid, targetName, rate, cores, log }: FanoutRun): Promise<FanoutFigures> {
  await pool.reset(plan.probeSockets);
  const listeners = plan.fanoutListeners;
  const sendMs = plan.sendMs(rate);
  const cpuBefore = cpuSeconds(pid);
  const loadCpuBefore = pool.pids.map(cpuSeconds);
  const machineBefore = machineTicks();
  const startedAt = now();
  let aborted: string | null = null;
  let peakRss = rssBytes(pid);
  let lastCpu = cpuBefore;
  const check = () => {
    if (!alive(pid)) aborted ??= "the server process exited";
    else {
      lastCpu = cpuSeconds(pid);
      peakRss = Math.max(peakRss, rssBytes(pid));
      if (peakRss > plan.rssCapBytes) aborted ??= `server RSS passed ${(plan.rssCapBytes / 2 ** 30).toFixed(0)} GiB`;
    }
    return aborted !== null;
  };
  const sending = pool.send(rate, sendMs);
  let sendDone = false;
  void sending.finally(() => (sendDone = true));
  while (!sendDone) {
    await sleep(250);
    if (check()) await pool.stopSending();
  }
  const sentAt = await sending;
  const sent = Object.values(sentAt).reduce((sum, times) => sum + times.length, 0);
  const expected = sent * listeners;
  const drainDeadline = Date.now() + plan.drainCapMs;
  const inWindow = await pool.counts(sentAt);
  let counts = inWindow;
  let lastProgress = Date.now();
  while (counts.delivered < expected && Date.now() < drainDeadline && Date.now() - lastProgress < 3000 && !check()) {
    await sleep(250);
    const next = await pool.counts(sentAt);
    if (next.delivered > counts.delivered) lastProgress = Date.now();
    counts = next;
  }
  check();
  const serverCpuSeconds = lastCpu - cpuBefore;
  const windowSeconds = (now() - startedAt) / 1000;
  const loadCpu = pool.pids.map((p, i) => (alive(p) ? cpuSeconds(p) - loadCpuBefore[i]! : 0));
  const loadGeneratorCpuSeconds = loadCpu.reduce((a, b) => a + b, 0);
  const loadGeneratorPeakCoreShare = Math.max(...loadCpu) / windowSeconds;
  const serverCoreShare = serverCpuSeconds / windowSeconds;
  const machineAfter = machineTicks();
  const machineBusyShare = (machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total);
  const ours = (serverCoreShare + loadGeneratorCpuSeconds / windowSeconds) / cores;
  const probes = await pool.timelines();
  const delays = reactionDelays(sentAt, probes.timelines);
  const figure: FanoutFigures = {
    rate,
    listeners,
    sent,
    framesPerListenerPerSecond: inWindow.frames / listeners / (sendMs / 1000),
    peakFramesPerSecond: peakFramesInAnySecond(probes.frameTimes),
    shortestFiveFrameSpanMs: shortestFiveFrameSpan(probes.frameTimes),
    steadyFramesPerDeliveredReaction: steadyFramesPerReaction(probes.timelines, probes.frameTimes),
    framesPerDeliveredReaction: counts.delivered > 0 ? counts.frames / counts.delivered : Number.NaN,
    deliveredReactions: counts.delivered,
    deliveredShare: expected > 0 ? counts.delivered / expected : 0,
    frames: counts.frames,
    serverCpuSeconds,
    deliveredPerCpuSecond: counts.delivered / Math.max(serverCpuSeconds, 0.01),
    serverCpuMicrosPerFrame: counts.frames > 0 ? (serverCpuSeconds * 1e6) / counts.frames : Number.NaN,
    serverCoreShare,
    loadGeneratorCpuSeconds,
    loadGeneratorPeakCoreShare,
    loadBound: loadWasBottleneck(loadGeneratorPeakCoreShare, loadGeneratorCpuSeconds / windowSeconds, serverCoreShare, cores),
    machineBusyShare,
    contended: machineBusyShare >= 0.9 && ours < 0.5,
    delayP50: percentile(delays, 50),
    delayP99: percentile(delays, 99),
    censored: counts.delivered < expected,
    windowSeconds,
    aborted,
    serverPeakRssBytes: peakRss,
  };
  log(
    `${targetName}: ${rate}/s → ${figure.framesPerListenerPerSecond.toFixed(1)} frames/listener/s (at most ${figure.peakFramesPerSecond} in any 1 s; ` +
      `5 in a row over ${figure.shortestFiveFrameSpanMs?.toFixed(0)} ms at the shortest), ` +
      `${(figure.deliveredShare * 100).toFixed(1)}% delivered, ${Math.round(figure.deliveredPerCpuSecond)} reactions/CPU-s, ` +
      `delay p50 ${figure.delayP50.toFixed(0)} ms p99 ${figure.delayP99.toFixed(0)} ms, server ${(serverCoreShare * 100).toFixed(0)}% ` +
      `load ${(loadGeneratorPeakCoreShare * 100).toFixed(0)}% of a core, machine ${(machineBusyShare * 100).toFixed(0)}% busy` +
      `${figure.loadBound ? " (load generator bound)" : ""}${figure.contended ? " (machine saturated by other processes)" : ""}` +
      `${figure.censored ? " (not all delivered by the drain cap)" : ""}${aborted ? `; stopped early: ${aborted}` : ""}`,
  );
  return figure;
}
