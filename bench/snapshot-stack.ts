// The local stack for the bench, run from a frozen copy of worker/ (plus wrangler.toml, migrations, web build): wrangler
// dev restarts workerd on every saved source file, and a restart mid-run would drop every socket and skew every figure.
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stopChild, waitForHealth } from "../dev/processes.ts";
import { buildWeb, ensureLocalSecrets, freePort, ROOT, schemaSql } from "../dev/stack.ts";
import { devSessionsSql } from "../dev/dev-sessions.ts";
import { DEMO_USERS, seedSql } from "../dev/seed.ts";
import { startCountingSfu } from "../dev/sfu/counting-sfu.ts";

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

/** `extraSql` runs after the schema and the demo seed, in the same single `wrangler d1 execute` (one workerd start). */
export async function startSnapshotStack(log: (line: string) => void, extraSql = "", extraVars: Record<string, string> = {}): Promise<SnapshotStack> {
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
  log(`Froze worker/ into ${dir}; creating the D1 schema, the demo seed and the bench's rows…`);
  const seedFile = join(dir, "seed.sql");
  // The demo people get server-side sessions too, so the bench can sign their cookies instead of logging in.
  writeFileSync(seedFile, [schemaSql(), seedSql(), devSessionsSql(DEMO_USERS.map((user) => user.id)), extraSql].join("\n"));
  await wrangler(["d1", "execute", "DB", "--local", "--persist-to", persistDir, "--file", seedFile]);

  const sfu = await startCountingSfu(CALLS_APP_ID, secrets.CALLS_APP_SECRET!);
  const port = await freePort();
  const inspectorPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // SPACES_LOAD_TEST: one machine plays thousands of people, so per-address limits are lifted (loopback only).
  // STT_WS_URL "none": no captions in the bench's rooms (under --local the `AI` binding is an offline stub).
  const vars = { CALLS_API_BASE: sfu.url, CALLS_APP_ID, APP_ORIGIN: url, SPACES_LOAD_TEST: "1", STT_WS_URL: "none", ...extraVars };
  log("Starting the Worker (wrangler dev on the frozen copy)…");
  const child = spawn(
    process.execPath,
    [
      WRANGLER, "dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort),
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
    await stopChild(child);
    await sfu.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(url, child, { timeoutMs: 90_000, output: () => output });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, persistDir, secrets, wranglerPid: child.pid!, inspectorPort, callsCounts: sfu.counts, stop };
}
