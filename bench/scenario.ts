// The measurement sequence `npm run bench` runs against each target, identically: join probes at 0, 1k and 5k listeners,
// reaction fan-out at 10/100/1000 per second with 1k listeners, and server memory per connected listener.
import { existsSync } from "node:fs";
import type { LoadPool } from "./load-pool.ts";
import { cpuSeconds, percentile, rssBytes, totalCpuSeconds } from "./proc-stats.ts";
import type { BenchTarget } from "./targets.ts";

export type BenchPlan = {
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
};

export type JoinFigures = {
  listeners: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  openToSnapshotP50: number;
  failed: number;
};

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

export type MemoryFigures = { listeners: number; rssDeltaBytes: number; bytesPerListener: number; rssAfterBytes: number };

export type TargetFigures = {
  name: string;
  label: string;
  notes: string;
  joins: JoinFigures[];
  fanout: FanoutFigures[];
  memory: MemoryFigures[];
  extras: Record<string, number[]>;
  /** Set when the run against this target stopped early; the figures above are what was measured until then. */
  failure: string | null;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const alive = (pid: number) => existsSync(`/proc/${pid}/stat`);
const now = () => performance.timeOrigin + performance.now();

/** Waits until the server burns under 10% of a core for a second (backlogs drained), at most `capMs`. */
async function settle(pid: number, capMs = 20_000): Promise<void> {
  const deadline = Date.now() + capMs;
  let quiet = 0;
  let last = cpuSeconds(pid);
  while (Date.now() < deadline && quiet < 2) {
    await sleep(500);
    const cpu = cpuSeconds(pid);
    quiet = cpu - last < 0.05 ? quiet + 1 : 0;
    last = cpu;
  }
}

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

export async function measureTarget(
  target: BenchTarget,
  pool: LoadPool,
  plan: BenchPlan,
  log: (line: string) => void,
): Promise<TargetFigures> {
  const figures: TargetFigures = {
    name: target.name, label: target.label, notes: target.notes, joins: [], fanout: [], memory: [], extras: {}, failure: null,
  };
  let pid = target.serverPid;

  const fill = async (count: number) => {
    for (let done = 0; done < count; done += 1000) {
      const chunk = Math.min(1000, count - done);
      const joined = await pool.connect(await target.socketTargets(chunk, "listener"), plan.connectConcurrency, true);
      if (joined.failed > 0) throw new Error(`${target.name}: ${joined.failed} listeners failed to join: ${joined.errors.join("; ")}`);
      log(`${target.name}: ${done + chunk}/${count} listeners connected`);
    }
    await settle(pid);
  };

  const probeJoins = async (listeners: number) => {
    const probe = await pool.connect(await target.socketTargets(plan.probes, "probe"), 1, false);
    const figure: JoinFigures = {
      listeners,
      p50: percentile(probe.connectMs, 50),
      p90: percentile(probe.connectMs, 90),
      p99: percentile(probe.connectMs, 99),
      max: percentile(probe.connectMs, 100),
      openToSnapshotP50: percentile(probe.openToSnapshotMs, 50),
      failed: probe.failed,
    };
    figures.joins.push(figure);
    log(`${target.name}: join with ${listeners} listeners p50 ${figure.p50.toFixed(1)} ms, p99 ${figure.p99.toFixed(1)} ms${probe.failed ? `, ${probe.failed} failed (${probe.errors[0]})` : ""}`);
    await settle(pid);
  };

  const measureMemory = async (listeners: number, before: number) => {
    const after = rssBytes(pid);
    figures.memory.push({ listeners, rssDeltaBytes: after - before, bytesPerListener: (after - before) / listeners, rssAfterBytes: after });
    log(`${target.name}: RSS +${((after - before) / 2 ** 20).toFixed(1)} MiB for ${listeners} listeners (${((after - before) / listeners / 1024).toFixed(1)} KiB each)`);
  };

  const fanout = async (rate: number): Promise<boolean> => {
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
      loadGeneratorCpuSeconds: totalCpuSeconds(pool.pids) - loadCpuBefore,
      delayP50: percentile(delays, 50),
      delayP99: percentile(delays, 99),
      censored: counts.reactions < expected,
      windowSeconds,
      aborted,
      serverPeakRssBytes: peakRss,
    };
    figures.fanout.push(figure);
    log(
      `${target.name}: ${rate}/s → ${figure.framesPerListenerPerSecond.toFixed(1)} frames/listener/s, ` +
        `${(figure.deliveredShare * 100).toFixed(1)}% delivered, ${Math.round(figure.deliveredPerCpuSecond)} reactions/CPU-s, ` +
        `delay p50 ${figure.delayP50.toFixed(0)} ms p99 ${figure.delayP99.toFixed(0)} ms` +
        `${figure.censored ? " (not all delivered by the drain cap)" : ""}${aborted ? `; stopped early: ${aborted}` : ""}`,
    );
    if (!alive(pid)) throw new Error(`${target.name}: the server process exited during the ${rate}/s run`);
    return !figure.censored;
  };

  try {
    // (a) joins into an empty room, then (b) fan-out with 1k listeners, then (a, c) 1k and 5k listeners.
    await pool.connect(await target.socketTargets(plan.warmupJoins, "probe"), 1, false);
    await probeJoins(0);
    let rssBefore = rssBytes(pid);
    await fill(plan.fanoutListeners);
    await measureMemory(plan.fanoutListeners, rssBefore);
    await probeJoins(plan.fanoutListeners);
    let backlog = false;
    for (const rate of plan.rates) {
      backlog = !(await fanout(rate)) || backlog;
      if (backlog && rate !== plan.rates.at(-1)) {
        // A backlog would leak into the next rate's counts: start it with a fresh audience.
        log(`${target.name}: reconnecting listeners to drop the backlog`);
        await pool.closeAll();
        await settle(pid);
        await fill(plan.fanoutListeners);
      }
    }
    await pool.closeAll();
    if (backlog && target.restart) {
      await target.restart();
      pid = target.serverPid;
      await pool.connect(await target.socketTargets(plan.warmupJoins, "probe"), 1, false);
    }
    await settle(pid);
    rssBefore = rssBytes(pid);
    await fill(plan.maxListeners);
    await measureMemory(plan.maxListeners, rssBefore);
    await probeJoins(plan.maxListeners);
    await pool.closeAll();
    await settle(pid);
  } catch (error) {
    figures.failure = error instanceof Error ? error.message : String(error);
    log(`${target.name}: stopped early: ${figures.failure}`);
    await pool.closeAll().catch(() => {});
  }
  figures.extras = target.extras?.() ?? {};
  return figures;
}
