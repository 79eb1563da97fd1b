// The measurement sequence `npm run bench` runs against each target, identically: join probes at 0, 1k and 5k listeners,
// reaction fan-out at 10/100/1000 per second with 1k listeners, and server memory per connected listener.
import type { LoadPool } from "./load-pool.ts";
import { alive, measureFanout, type FanoutFigures } from "./fanout.ts";
import type { BenchPlan } from "./plan.ts";
import { cpuSeconds, rssBytes } from "./proc-stats.ts";
import { percentile, sleep } from "./stats.ts";
import type { BenchTarget } from "./targets.ts";


export type JoinFigures = {
  listeners: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  openToSnapshotP50: number;
  failed: number;
};


export type { BenchPlan, FanoutFigures };

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
    const figure = await measureFanout({ pool, plan, pid, targetName: target.name, rate, log });
    figures.fanout.push(figure);
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
