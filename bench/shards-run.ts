// `npm run bench:shards`: only the bench's shard run (shards forced off vs on, bench/shard-threshold.ts), printed, and
// written to BENCH_OUT when given. The recorded figures come from the full `npm run bench`, which includes this run.
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { LoadPool } from "./load-pool.ts";
import { planFromEnv } from "./plan.ts";
import { measureShardThreshold, renderShardThreshold } from "./shard-threshold.ts";

const plan = planFromEnv();
const startedAt = Date.now();
const log = (line: string) => console.log(`[shards ${((Date.now() - startedAt) / 1000).toFixed(0)} s] ${line}`);
const pool = new LoadPool(plan.loadProcesses);
try {
  const figures = await measureShardThreshold(pool, plan, cpus().length, log);
  console.log(`\n${renderShardThreshold(figures)}\n`);
  if (process.env.BENCH_OUT) writeFileSync(plan.out, JSON.stringify({ measuredAt: new Date(startedAt).toISOString(), shards: figures }, null, 2) + "\n");
  if (figures.failure) process.exitCode = 1;
} finally {
  pool.stop();
}
