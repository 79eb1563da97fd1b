// POST /join alone, timed over many sequential calls against the bench's stack (workerd's own port, no dev proxy):
// the main bench's join figure includes it, but there it shares the machine with thousands of sockets, so this is the
// quieter view of the same route. `node bench/join-post.ts [calls]` (default 400); prints p50/p90/p99, the mean, and
// the serving workerd's CPU per call (local D1 runs in that process too), which a busy machine disturbs far less.
import { performance } from "node:perf_hooks";
import { cpuSeconds } from "./proc-stats.ts";
import { percentile } from "./stats.ts";
import { startSpacesTarget } from "./spaces-target.ts";

const calls = Number(process.argv[2] ?? 400);
if (!Number.isInteger(calls) || calls < 10) throw new Error("usage: node bench/join-post.ts [calls ≥ 10]");
const warmup = 20;
const log = (line: string) => console.log(`[join-post] ${line}`);

const target = await startSpacesTarget(calls + warmup, log);
try {
  // Each call is a different person with their own session, as the bench's probes are (a listener joins once).
  const probes = await target.socketTargets(calls + warmup, "probe");
  const times: number[] = [];
  let cpuBefore = 0;
  for (const [i, probe] of probes.entries()) {
    if (i === warmup) cpuBefore = cpuSeconds(target.serverPid);
    const join = probe.join!;
    const startedAt = performance.now();
    const response = await fetch(join.url, { method: "POST", headers: join.headers, body: "{}" });
    const body = (await response.json()) as { token?: unknown };
    const ms = performance.now() - startedAt;
    if (!response.ok || typeof body.token !== "string") throw new Error(`POST /join answered ${response.status}: ${JSON.stringify(body)}`);
    if (i >= warmup) times.push(ms);
  }
  const cpuMsPerCall = ((cpuSeconds(target.serverPid) - cpuBefore) * 1000) / times.length;
  const mean = times.reduce((sum, ms) => sum + ms, 0) / times.length;
  const figure = (p: number) => percentile(times, p).toFixed(2);
  log(`${times.length} sequential POST /join (after ${warmup} warm-up): p50 ${figure(50)} ms, p90 ${figure(90)} ms, p99 ${figure(99)} ms, mean ${mean.toFixed(2)} ms; server CPU ${cpuMsPerCall.toFixed(2)} ms per call`);
} finally {
  await target.stop();
}
