// `npm test`: typecheck, the import rule (dependency-cruiser), unit tests, worker tests in workerd, a deploy dry run
// against the bundle budget, a web build, then browser tests in Chromium — with progress, stopping at the first failing stage.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { buildWeb, ROOT } from "./stack.ts";

const bin = (name: string) => join(ROOT, "node_modules/.bin", name);
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH}` };

function stage(name: string, command: string, args: string[]): void {
  const started = Date.now();
  console.log(`\n▶ ${name}`);
  const result = spawnSync(command, args, { cwd: ROOT, env, stdio: "inherit" });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`✗ ${name} failed after ${seconds}s`);
    process.exit(result.status ?? 1);
  }
  console.log(`✓ ${name} (${seconds}s)`);
}

const only = process.argv[2];
const all = !only;
if (all || only === "typecheck") stage("typecheck (worker, tests, web)", "npm", ["run", "--silent", "typecheck"]);
if (all || only === "deps") stage("import rule (dev/dependency-rules.cjs)", "npm", ["run", "--silent", "lint:deps"]);
if (all || only === "unit") stage("unit tests", bin("vitest"), ["run", "--config", "test/unit/vitest.config.ts"]);
// The worker tests (share cards, security headers), the deploy dry run and the browser tests all serve web/build.
if (all || only === "worker" || only === "deploy" || only === "e2e") {
  const started = Date.now();
  console.log("\n▶ web build");
  await buildWeb((line) => console.log(line));
  console.log(`✓ web build (${((Date.now() - started) / 1000).toFixed(1)}s)`);
}
if (all || only === "worker") stage("worker tests (workerd)", bin("vitest"), ["run", "--config", "test/worker/vitest.config.ts"]);
if (all || only === "deploy") stage("deploy dry run and bundle budget", process.execPath, ["dev/bundle-check.ts"]);
if (all || only === "e2e") {
  // --test-force-exit: a file whose tests and after-hooks are done exits even if a socket was left open (werift's UDP
  // sockets once kept a file's process alive after its last test, which would hang CI until its time limit).
  stage("browser tests (Chromium)", process.execPath, ["--test", "--test-concurrency=1", "--test-force-exit", "--test-reporter=spec", "test/e2e/*.test.ts"]);
}
console.log("\nAll tests passed.");
