// The local stack for the bench, run from a frozen copy of worker/ (plus wrangler.toml, migrations, web build): wrangler
// dev restarts workerd on every saved source file, and a restart mid-run would drop every socket and skew every figure.
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildWeb, ensureLocalSecrets, freePort, ROOT } from "../dev/stack.ts";
import { seedSql } from "../dev/seed.ts";
import { startCountingSfu } from "../dev/sfu/counting-sfu.ts";
import { sleep } from "./stats.ts";

const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");
const CALLS_APP_ID = "local-app";

export type SnapshotStack = {
  url: string;
  port: number;
  persistDir: string;
  secrets: Record<string, string>;
  /** The `wrangler dev` process; its workerd children are the server. */
  wranglerPid: number;
  /** wrangler dev's DevTools port (the bench reads the isolate's heap through it). */
  inspectorPort: number;
  /** Calls API requests the Worker has made so far, by kind (a counting proxy sits in front of the local SFU). */
  callsCounts(): Record<string, number>;
  wrangler(args: string[]): Promise<void>;
  stop(): Promise<void>;
};

function runNode(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" } });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${args.slice(1, 3).join(" ")} failed:\n${output.slice(-4000)}`))));
  });
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${output()}`);
    const response = await fetch(`${url}/api/health`).catch(() => null);
    if (response?.ok) return;
    await sleep(250);
  }
  throw new Error(`the Worker did not answer ${url}/api/health in time:\n${output()}`);
}

export async function startSnapshotStack(log: (line: string) => void): Promise<SnapshotStack> {
  if (!existsSync(join(ROOT, "web/build/index.html"))) {
    log("Building the web app…");
    await buildWeb(log);
  }
  const secrets = ensureLocalSecrets();
  const dir = mkdtempSync(join(tmpdir(), "spaces-bench-"));
  for (const part of ["worker", "migrations", "wrangler.toml", "package.json", ".dev.vars"]) {
    cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  }
  cpSync(join(ROOT, "web/build"), join(dir, "web/build"), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  const persistDir = join(dir, "state");
  const wrangler = (args: string[]) => runNode([WRANGLER, ...args], dir);
  log(`Froze worker/ into ${dir}; applying D1 migrations and the demo seed…`);
  await wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistDir]);
  const seedFile = join(dir, "seed.sql");
  writeFileSync(seedFile, seedSql());
  await wrangler(["d1", "execute", "DB", "--local", "--persist-to", persistDir, "--file", seedFile]);

  const sfu = await startCountingSfu(CALLS_APP_ID, secrets.CALLS_APP_SECRET!);
  const port = await freePort();
  const inspectorPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const vars = { CALLS_API_BASE: sfu.url, CALLS_APP_ID, APP_ORIGIN: url };
  log("Starting the Worker (wrangler dev on the frozen copy)…");
  const child = spawn(
    process.execPath,
    [
      WRANGLER, "dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort),
      "--persist-to", persistDir, "--show-interactive-dev-session=false",
      ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    ],
    { cwd: dir, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);

  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    await sfu.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(url, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, persistDir, secrets, wranglerPid: child.pid!, inspectorPort, callsCounts: sfu.counts, wrangler, stop };
}
