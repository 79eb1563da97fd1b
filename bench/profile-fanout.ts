// Where a reaction fan-out's server CPU goes, without the whole bench: starts one target (the first of BENCH_TARGETS,
// spaces by default), connects the fan-out audience, runs one rate (BENCH_PROFILE_RATE, 100/s) BENCH_REPS times (3)
// for the server CPU figures, then once more with V8's CPU profiler on and prints the functions with most self time.
// `node bench/profile-fanout.ts`; BENCH_SCALE sizes the audience as in the bench.
import { measureFanout } from "./fanout.ts";
import { startCpuProfile } from "./cpu-profile.ts";
import { LoadPool } from "./load-pool.ts";
import { planFromEnv } from "./plan.ts";
import { startSpacesTarget } from "./spaces-target.ts";
import { cpuSeconds } from "./proc-stats.ts";
import { median, sleep } from "./stats.ts";
import { startNaiveRoom, type BenchTarget } from "./targets.ts";
import { cpus } from "node:os";

const plan = planFromEnv();
const rate = Number(process.env.BENCH_PROFILE_RATE ?? 100);
const log = (line: string) => console.log(`[profile] ${line}`);
const pool = new LoadPool(plan.loadProcesses);
const name = plan.targets[0] === "naive" ? "naive" : "spaces";
const users = plan.fanoutListeners + plan.warmupJoins + 100;
const target: BenchTarget = name === "naive" ? await startNaiveRoom(log) : await startSpacesTarget(users, log);

try {
  await pool.connect(await target.socketTargets(plan.warmupJoins, "probe"), 1, false);
  const joined = await pool.connect(await target.socketTargets(plan.fanoutListeners, "listener"), plan.connectConcurrency, true);
  if (joined.failed > 0) throw new Error(`${joined.failed} listeners failed to join: ${joined.errors[0]}`);
  log(`${plan.fanoutListeners} listeners connected to ${target.label}`);
  // What the server burns with the audience connected and nothing sent: a floor under every per-frame figure.
  await sleep(3000);
  const idleBefore = cpuSeconds(target.serverPid);
  await sleep(5000);
  log(`idle with ${plan.fanoutListeners} listeners: ${(((cpuSeconds(target.serverPid) - idleBefore) / 5) * 100).toFixed(1)}% of a core`);
  const run = (tag: string) =>
    measureFanout({ pool, plan, pid: target.serverPid, targetName: `${name} ${tag}`, rate, cores: cpus().length, log });
  const figures = [];
  for (let i = 0; i < plan.reps; i++) figures.push(await run(`run ${i + 1}/${plan.reps}`));
  const perFrame = median(figures.map((f) => f.serverCpuMicrosPerFrame));
  const perCpu = median(figures.map((f) => f.deliveredPerCpuSecond));
  log(
    `${rate}/s, median of ${figures.length}: server CPU ${perFrame.toFixed(1)} µs per frame ` +
      `(${figures.map((f) => f.serverCpuMicrosPerFrame.toFixed(1)).join(", ")}), ${Math.round(perCpu)} delivered per CPU-s ` +
      `(${figures.map((f) => Math.round(f.deliveredPerCpuSecond)).join(", ")}); steady frames per reaction ` +
      `${figures.map((f) => f.steadyFramesPerDeliveredReaction?.toFixed(4)).join(", ")}`,
  );
  const port = target.inspectorPort?.();
  if (port !== undefined && process.env.BENCH_PROFILE !== "0") {
    const stop = await startCpuProfile(port);
    await run("profiled");
    const summary = await stop(25);
    log(`isolate JS profile: ${summary.totalMs.toFixed(0)} ms sampled, ${summary.idleMs.toFixed(0)} ms idle; most self time:`);
    for (const fn of summary.top) log(`  ${fn.selfMs.toFixed(1).padStart(8)} ms ${(fn.share * 100).toFixed(1).padStart(5)}%  ${fn.name}${fn.source ? `  ${fn.source}` : ""}`);
    log("with the function anywhere on the stack:");
    for (const fn of summary.inclusive) log(`  ${fn.selfMs.toFixed(1).padStart(8)} ms ${(fn.share * 100).toFixed(1).padStart(5)}%  ${fn.name}`);
  }
} finally {
  pool.stop();
  await target.stop();
}
