// The measurement sequence `npm run bench` runs against each target, identically and `plan.reps` times: join probes
// (POST /join included where the target has one) and server memory at 0, 1k and 5k listeners, then reaction fan-out
// at 1/10/100/1000 per second to 1k of them.
import type { FanoutFigures } from "./fanout.ts";
import { alive, measureFanout } from "./fanout.ts";
import type { LoadPool } from "./load-pool.ts";
import type { BenchPlan } from "./plan.ts";
import { cpuSeconds, rssBytes } from "./proc-stats.ts";
import { percentile, sleep } from "./stats.ts";
import type { BenchTarget } from "./targets.ts";

export type JoinFigures = {
  listeners: number;
  /** From the start of the join (POST /join where there is one) to the snapshot frame. */
  p50: number;
  p99: number;
  /** The POST /join part alone (0 for targets without one). */
  postP50: number;
  /** The tail of each part, to tell where the join's p99 comes from; absent in files written before they existed. */
  postP99?: number;
  openToSnapshotP50: number;
  openToSnapshotP99?: number;
  /** POST /join answered → socket open (the Worker's token check and the room's accept). */
  upgradeP99?: number;
  failed: number;
};

/** `listeners` connected; bytes per listener is the RSS growth over the `added` most recent ones. */
export type MemoryFigures = {
  listeners: number;
  added: number;
  rssDeltaBytes: number;
  bytesPerListener: number;
  rssAfterBytes: number;
  /** Growth of the isolate's JS heap (after a GC) per added listener; null where the target has no inspector. */
  heapBytesPerListener: number | null;
};

export type RepFigures = { joins: JoinFigures[]; fanout: FanoutFigures[]; memory: MemoryFigures[] };

export type TargetFigures = {
  name: string;
  label: string;
  notes: string;
  reps: RepFigures[];
  /** Set when the run against this target stopped early; the figures are what was measured until then. */
  failure: string | null;
};

export type { FanoutFigures };

/** Waits until the server burns under 10% of a core for a second (backlogs drained), at most `capMs`; says if it did. */
async function settle(pid: number, capMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + capMs;
  let quiet = 0;
  let last = cpuSeconds(pid);
  while (Date.now() < deadline && quiet < 2 && alive(pid)) {
    await sleep(500);
    const cpu = cpuSeconds(pid);
    quiet = cpu - last < 0.05 ? quiet + 1 : 0;
    last = cpu;
  }
  return quiet >= 2;
}

type Run = { target: BenchTarget; pool: LoadPool; plan: BenchPlan; cores: number; log: (line: string) => void };

async function oneRep({ target, pool, plan, cores, log }: Run, rep: RepFigures, tag: string, last: boolean): Promise<void> {
  const say = (line: string) => log(`${target.name} ${tag}: ${line}`);
  const fill = async (from: number, to: number) => {
    for (let done = from; done < to; done += 1000) {
      const chunk = Math.min(1000, to - done);
      const joined = await pool.connect(await target.socketTargets(chunk, "listener"), plan.connectConcurrency, true);
      if (joined.failed > 0) throw new Error(`${joined.failed} listeners failed to join: ${joined.errors.join("; ")}`);
      say(`${done + chunk}/${to} listeners connected`);
    }
    await settle(target.serverPid);
  };
  const probeJoins = async (listeners: number) => {
    const probe = await pool.connect(await target.socketTargets(plan.probes, "probe"), 1, false);
    const figure: JoinFigures = {
      listeners,
      p50: percentile(probe.connectMs, 50),
      p99: percentile(probe.connectMs, 99),
      postP50: percentile(probe.joinPostMs, 50),
      postP99: percentile(probe.joinPostMs, 99),
      openToSnapshotP50: percentile(probe.openToSnapshotMs, 50),
      openToSnapshotP99: percentile(probe.openToSnapshotMs, 99),
      // The three arrays are pushed together per probe, so index i is the same join in each.
      upgradeP99: percentile(probe.connectMs.map((ms, i) => ms - (probe.joinPostMs[i] ?? 0) - probe.openToSnapshotMs[i]!), 99),
      failed: probe.failed,
    };
    rep.joins.push(figure);
    const post = Number.isFinite(figure.postP50) ? ` (POST /join ${figure.postP50.toFixed(1)})` : "";
    const parts = Number.isFinite(figure.postP99!) ? `; p99 of POST /join ${figure.postP99!.toFixed(1)}, of upgrade ${figure.upgradeP99!.toFixed(1)}, of socket open → snapshot ${figure.openToSnapshotP99!.toFixed(1)}` : "";
    say(`join with ${listeners} listeners p50 ${figure.p50.toFixed(1)} ms${post}, p99 ${figure.p99.toFixed(1)} ms${parts}${probe.failed ? `, ${probe.failed} failed (${probe.errors[0]})` : ""}`);
    await settle(target.serverPid);
  };
  const heap = async () => (target.heapBytes ? await target.heapBytes() : null);
  const memory = async (listeners: number, added: number, before: number, heapBefore: number | null) => {
    const after = rssBytes(target.serverPid);
    const heapAfter = heapBefore === null ? null : await heap();
    const heapBytesPerListener = heapBefore === null || heapAfter === null ? null : (heapAfter - heapBefore) / added;
    rep.memory.push({ listeners, added, rssDeltaBytes: after - before, bytesPerListener: (after - before) / added, rssAfterBytes: after, heapBytesPerListener });
    say(
      `RSS +${((after - before) / 2 ** 20).toFixed(1)} MiB for ${added} more listeners (${((after - before) / added / 1024).toFixed(1)} KiB each` +
        `${heapBytesPerListener === null ? "" : `, JS heap ${(heapBytesPerListener / 1024).toFixed(2)} KiB each`})`,
    );
  };
  const fresh = async () => {
    await pool.closeAll();
    // A workerd room can stay wedged on its backlog for minutes: then the rest runs on a fresh server.
    if (!(await settle(target.serverPid, 5000)) && target.restart) {
      await target.restart();
      await pool.connect(await target.socketTargets(plan.warmupJoins, "probe"), 1, false);
    }
    await settle(target.serverPid);
    await fill(0, plan.fanoutListeners);
  };

  // Joins and memory first, up to the largest audience; then the fan-out on the first 1k, so a backlog left by the
  // last rate needs no recovery within the repetition.
  await probeJoins(0);
  const rssEmpty = rssBytes(target.serverPid);
  const heapEmpty = await heap();
  await fill(0, plan.fanoutListeners);
  await memory(plan.fanoutListeners, plan.fanoutListeners, rssEmpty, heapEmpty);
  await probeJoins(plan.fanoutListeners);
  const rssBefore = rssBytes(target.serverPid);
  const heapBefore = await heap();
  await fill(plan.fanoutListeners, plan.maxListeners);
  await memory(plan.maxListeners, plan.maxListeners - plan.fanoutListeners, rssBefore, heapBefore);
  await probeJoins(plan.maxListeners);
  await pool.trim(plan.fanoutListeners);
  await settle(target.serverPid);
  for (const [i, rate] of plan.rates.entries()) {
    const figure = await measureFanout({ pool, plan, pid: target.serverPid, targetName: `${target.name} ${tag}`, rate, cores, log });
    rep.fanout.push(figure);
    if (!alive(target.serverPid)) throw new Error(`the server process exited during the ${rate}/s run`);
    // A backlog would leak into the next rate's counts: that one starts on a fresh audience (and server if it wedged).
    if (figure.censored && i < plan.rates.length - 1) {
      say("starting afresh to drop the backlog");
      await fresh();
    }
  }
  await pool.closeAll();
  if (!(await settle(target.serverPid, last ? 3000 : 5000)) && target.restart && !last) {
    await target.restart();
    await pool.connect(await target.socketTargets(plan.warmupJoins, "probe"), 1, false);
  }
}

export async function measureTarget(target: BenchTarget, pool: LoadPool, plan: BenchPlan, cores: number, log: (line: string) => void): Promise<TargetFigures> {
  const figures: TargetFigures = { name: target.name, label: target.label, notes: target.notes, reps: [], failure: null };
  try {
    await pool.connect(await target.socketTargets(plan.warmupJoins, "probe"), 1, false);
    for (let i = 0; i < plan.reps; i++) {
      const rep: RepFigures = { joins: [], fanout: [], memory: [] };
      figures.reps.push(rep);
      await oneRep({ target, pool, plan, cores, log }, rep, `run ${i + 1}/${plan.reps}`, i === plan.reps - 1);
    }
  } catch (error) {
    figures.failure = error instanceof Error ? error.message : String(error);
    log(`${target.name}: stopped early: ${figures.failure}`);
    await pool.closeAll().catch(() => {});
  }
  return figures;
}
