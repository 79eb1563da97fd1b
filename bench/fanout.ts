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
  /** Frames each listener got per second while reactions were being sent. */
  framesPerListenerPerSecond: number;
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
  const delays = reactionDelays(sentAt, await pool.timelines());
  const figure: FanoutFigures = {
    rate,
    listeners,
    sent,
    framesPerListenerPerSecond: inWindow.frames / listeners / (sendMs / 1000),
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
    `${targetName}: ${rate}/s → ${figure.framesPerListenerPerSecond.toFixed(1)} frames/listener/s, ` +
      `${(figure.deliveredShare * 100).toFixed(1)}% delivered, ${Math.round(figure.deliveredPerCpuSecond)} reactions/CPU-s, ` +
      `delay p50 ${figure.delayP50.toFixed(0)} ms p99 ${figure.delayP99.toFixed(0)} ms, server ${(serverCoreShare * 100).toFixed(0)}% ` +
      `load ${(loadGeneratorPeakCoreShare * 100).toFixed(0)}% of a core, machine ${(machineBusyShare * 100).toFixed(0)}% busy` +
      `${figure.loadBound ? " (load generator bound)" : ""}${figure.contended ? " (machine saturated by other processes)" : ""}` +
      `${figure.censored ? " (not all delivered by the drain cap)" : ""}${aborted ? `; stopped early: ${aborted}` : ""}`,
  );
  return figure;
}
