// One reaction fan-out run of `npm run bench`: paced reactions from the listeners themselves, counting what every
// listener receives, server CPU from /proc, end-to-end delays on probe sockets, and a guard against runaway backlogs.
import { existsSync } from "node:fs";
import type { LoadPool } from "./load-pool.ts";
import type { BenchPlan } from "./plan.ts";
import { cpuSeconds, rssBytes, totalCpuSeconds } from "./proc-stats.ts";
import { percentile, sleep } from "./stats.ts";

export type FanoutFigures = {
  rate: number;
  listeners: number;
  sent: number;
  /** Frames each listener got per second while reactions were being sent. */
  framesPerListenerPerSecond: number;
  /** All frames over all reactions delivered, after the drain (1.0 for a room that sends each reaction on its own). */
  framesPerDeliveredReaction: number;
  deliveredReactions: number;
  deliveredShare: number;
  serverCpuSeconds: number;
  deliveredPerCpuSecond: number;
  /** Server CPU per frame a listener received: what one socket send costs, so a broadcast costs listeners × this. */
  serverCpuMicrosPerFrame: number;
  loadGeneratorCpuSeconds: number;
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

/** Delay of every reaction a probe socket saw: the k-th reaction counted arrived with the frame that pushed past k. */
function reactionDelays(sentAt: number[], timelines: number[][]): number[] {
  const delays: number[] = [];
  for (const timeline of timelines) {
    let seen = 0;
    for (let i = 0; i < timeline.length; i += 2) {
      const receivedAt = timeline[i]!;
      const cumulative = timeline[i + 1]!;
      for (let k = seen; k < cumulative && k < sentAt.length; k++) delays.push(receivedAt - sentAt[k]!);
      seen = cumulative;
    }
  }
  return delays;
}

type FanoutRun = { pool: LoadPool; plan: BenchPlan; pid: number; targetName: string; rate: number; log: (line: string) => void };

export async function measureFanout({ pool, plan, pid, targetName, rate, log }: FanoutRun): Promise<FanoutFigures> {
  await pool.reset(plan.probeSockets);
  const listeners = plan.fanoutListeners;
  const sendMs = plan.sendMs(rate);
  const cpuBefore = cpuSeconds(pid);
  const loadCpuBefore = totalCpuSeconds(pool.pids);
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
  const expected = sentAt.length * listeners;
  const drainDeadline = Date.now() + plan.drainCapMs;
  const inWindow = await pool.counts();
  let counts = inWindow;
  let lastProgress = Date.now();
  while (counts.reactions < expected && Date.now() < drainDeadline && Date.now() - lastProgress < 3000 && !check()) {
    await sleep(250);
    const next = await pool.counts();
    if (next.reactions > counts.reactions) lastProgress = Date.now();
    counts = next;
  }
  check();
  const serverCpuSeconds = lastCpu - cpuBefore;
  const windowSeconds = (now() - startedAt) / 1000;
  const delays = reactionDelays(sentAt, await pool.timelines());
  const figure: FanoutFigures = {
    rate,
    listeners,
    sent: sentAt.length,
    framesPerListenerPerSecond: inWindow.frames / listeners / (sendMs / 1000),
    framesPerDeliveredReaction: counts.reactions > 0 ? counts.frames / counts.reactions : Number.NaN,
    deliveredReactions: counts.reactions,
    deliveredShare: expected > 0 ? counts.reactions / expected : 0,
    serverCpuSeconds,
    deliveredPerCpuSecond: counts.reactions / Math.max(serverCpuSeconds, 0.01),
    serverCpuMicrosPerFrame: counts.frames > 0 ? (serverCpuSeconds * 1e6) / counts.frames : Number.NaN,
    loadGeneratorCpuSeconds: totalCpuSeconds(pool.pids) - loadCpuBefore,
    delayP50: percentile(delays, 50),
    delayP99: percentile(delays, 99),
    censored: counts.reactions < expected,
    windowSeconds,
    aborted,
    serverPeakRssBytes: peakRss,
  };
  log(
    `${targetName}: ${rate}/s → ${figure.framesPerListenerPerSecond.toFixed(1)} frames/listener/s, ` +
      `${(figure.deliveredShare * 100).toFixed(1)}% delivered, ${Math.round(figure.deliveredPerCpuSecond)} reactions/CPU-s, ` +
      `delay p50 ${figure.delayP50.toFixed(0)} ms p99 ${figure.delayP99.toFixed(0)} ms` +
      `${figure.censored ? " (not all delivered by the drain cap)" : ""}${aborted ? `; stopped early: ${aborted}` : ""}`,
  );
  return figure;
}
