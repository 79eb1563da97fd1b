// `npm run sim:fanout [results.json]`: the fan-out model for 10k, 100k and 1M listeners at 1000 reactions/s, costed
// with the per-operation figures of one bench run (bench/results/latest.json unless a file is given).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { RESULTS_FILE } from "./plan.ts";
import type { BenchResults } from "./results.ts";
import { renderSimulation } from "./sim-report.ts";

const file = process.argv[2] ? resolve(process.argv[2]) : RESULTS_FILE;
const results = JSON.parse(readFileSync(file, "utf8")) as BenchResults;
if (results.version !== 2) {
  console.error(`${file} was written by an older bench (no per-operation costs); run \`npm run bench\` first.`);
  process.exit(1);
}
console.log(`Fan-out simulation from ${file} (commit ${results.commit.slice(0, 12)}, ${results.measuredAt})\n`);
console.log(renderSimulation(results));
