// Brings up the whole product locally: web build, D1 migrations + seed, local secrets, the Calls SFU stand-in,
// fake Stripe and the Worker under `wrangler dev`. Used by `npm start`, the browser tests and the benchmark.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { startFakeStripe } from "./fake-stripe/server.ts";
import { stopChild, waitForHealth } from "./processes.ts";
import { vapidKeyPair } from "./vapid-keys.ts";
import { startSfu } from "./sfu/server.ts";
import { pocketsphinxAvailable, startSttStandIn, STT_APT_LINE, type RunningStt } from "./stt/server.ts";
import { seedSql } from "./seed.ts";

export const ROOT = resolve(import.meta.dirname, "..");
const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");
const CALLS_APP_ID = "local-app";

export type StackOptions = {
  port?: number;
  /** Where local D1/DO state lives; a fresh temp dir for tests. */
  persistDir?: string;
  build?: boolean;
  seed?: boolean;
  /** Print progress lines (npm start) or stay quiet (tests). */
  log?: (line: string) => void;
  /** The persist dir is new: create schema + seed in one step instead of tracked migrations. */
  freshDatabase?: boolean;
  /** Extra `--var` values for the Worker. */
  vars?: Record<string, string>;
  /** Start the speech-to-text stand-in for captions when pocketsphinx is installed (default true). */
  captions?: boolean;
};

export type Stack = {
  url: string;
  port: number;
  persistDir: string;
  secrets: Record<string, string>;
  /** The speech-to-text stand-in's URL given to the Worker as STT_WS_URL; undefined when captions are off. */
  sttUrl: string | undefined;
  stop: () => Promise<void>;
};

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function run(args: string[], log: (line: string) => void, env: Record<string, string> = {}, cwd = ROOT): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, WRANGLER_SEND_METRICS: "false", ...env } });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("exit", (code) => {
      if (code === 0) done();
      else {
        log(output);
        fail(new Error(`${args.slice(0, 3).join(" ")} exited with ${code}`));
      }
    });
  });
}

export async function buildWeb(log: (line: string) => void): Promise<void> {
  const web = join(ROOT, "web");
  await run([join(ROOT, "node_modules/@sveltejs/kit/svelte-kit.js"), "sync"], log, {}, web);
  await run([join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "error"], log, {}, web);
}

/** Local secrets in .dev.vars, created once with random values and never committed. */
export function ensureLocalSecrets(file = join(ROOT, ".dev.vars")): Record<string, string> {
  const secrets: Record<string, string> = {};
  if (existsSync(file)) {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
      if (match) secrets[match[1]!] = match[2]!;
    }
  }
  const wanted: Record<string, () => string> = {
    SESSION_SECRET: () => randomBytes(32).toString("hex"),
    CALLS_APP_SECRET: () => randomBytes(16).toString("hex"),
    STRIPE_SECRET_KEY: () => `sk_test_local_${randomBytes(12).toString("hex")}`,
    STRIPE_WEBHOOK_SECRET: () => `whsec_local_${randomBytes(16).toString("hex")}`,
  };
  let changed = false;
  // The VAPID keys are one pair, so both are made together whenever either is missing or empty.
  if (!secrets.VAPID_PUBLIC_KEY || !secrets.VAPID_PRIVATE_KEY) {
    Object.assign(secrets, vapidKeyPair());
    changed = true;
  }
  for (const [name, make] of Object.entries(wanted)) {
    if (secrets[name] === undefined) {
      secrets[name] = make();
      changed = true;
    }
  }
  if (changed) {
    writeFileSync(file, Object.entries(secrets).map(([k, v]) => `${k}=${v}`).join("\n") + "\n", { mode: 0o600 });
  }
  return secrets;
}

/** Every migration in order as one SQL script, for a throwaway database created in one `wrangler d1 execute`. */
export function schemaSql(): string {
  return readdirSync(join(ROOT, "migrations"))
    .filter((name) => name.endsWith(".sql"))
    .sort()
    .map((name) => readFileSync(join(ROOT, "migrations", name), "utf8").replaceAll("--> statement-breakpoint", ""))
    .join("\n");
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const log = options.log ?? (() => {});
  const persistDir = options.persistDir ?? join(tmpdir(), `spaces-${process.pid}-${Date.now()}`);
  mkdirSync(persistDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const secrets = ensureLocalSecrets();

  if (options.build !== false) {
    log("Building the web app…");
    await buildWeb(log);
  }
  const seedFile = join(persistDir, "seed.sql");
  if (options.freshDatabase) {
    // A throwaway database (tests, bench): schema and seed in one wrangler run saves a workerd start-up.
    log("Creating the D1 schema and demo users…");
    writeFileSync(seedFile, [schemaSql(), options.seed === false ? "" : seedSql()].join("\n"));
    await run([WRANGLER, "d1", "execute", "DB", "--local", "--persist-to", persistDir, "--file", seedFile], log);
  } else {
    log("Applying D1 migrations…");
    await run([WRANGLER, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persistDir], log, { CI: "1" });
    if (options.seed !== false) {
      log("Seeding demo users…");
      writeFileSync(seedFile, seedSql());
      await run([WRANGLER, "d1", "execute", "DB", "--local", "--persist-to", persistDir, "--file", seedFile], log);
    }
  }

  log("Starting the Calls SFU stand-in…");
  const sfu = await startSfu({ port: 0, appId: CALLS_APP_ID, appSecret: secrets.CALLS_APP_SECRET! });

  // Captions need a recogniser; without pocketsphinx the Worker gets STT_WS_URL "none" and says captions are unavailable
  // (its `AI` binding is wrangler's offline stub under --local, so it must not fall back to Workers AI).
  let stt: RunningStt | undefined;
  if (options.captions !== false) {
    if (await pocketsphinxAvailable()) {
      log("Starting the speech-to-text stand-in (pocketsphinx)…");
      stt = await startSttStandIn({ port: 0 });
    } else {
      log(`Captions are off: pocketsphinx is not installed. To turn them on: sudo ${STT_APT_LINE}`);
    }
  }

  const url = `http://127.0.0.1:${port}`;
  log("Starting the fake Stripe…");
  const stripe = await startFakeStripe({
    port: 0,
    webhookUrl: `${url}/api/stripe/webhook`,
    webhookSecret: secrets.STRIPE_WEBHOOK_SECRET!,
    secretKey: secrets.STRIPE_SECRET_KEY!,
  });
  const vars: Record<string, string> = {
    CALLS_API_BASE: sfu.url,
    STRIPE_API_BASE: stripe.url,
    CALLS_APP_ID,
    APP_ORIGIN: url,
    STT_WS_URL: stt?.url ?? "none",
    ...options.vars,
  };
  log("Starting the Worker…");
  const worker = spawn(
    process.execPath,
    [
      // --local: remote bindings off (Workers AI has no local simulator and would otherwise want a Cloudflare login).
      WRANGLER, "dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(await freePort()),
      "--persist-to", persistDir, "--test-scheduled", "--show-interactive-dev-session=false",
      ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ],
    { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let workerOutput = "";
  const keep = (chunk: Buffer) => {
    workerOutput = (workerOutput + chunk.toString()).slice(-20_000);
  };
  worker.stdout!.on("data", keep);
  worker.stderr!.on("data", keep);
  try {
    await waitForHealth(url, worker, { output: () => workerOutput });
  } catch (error) {
    await stopChild(worker);
    await Promise.all([sfu.close(), stripe.close(), stt?.close()]);
    throw error;
  }

  // wrangler dev does not fire cron triggers on its own; drive the every-minute trigger like production would.
  const cron = setInterval(() => {
    fetch(`${url}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*`).catch(() => {});
  }, 60_000);
  cron.unref();

  let stopped = false;
  return {
    url,
    port,
    persistDir,
    secrets,
    sttUrl: stt?.url,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(cron);
      await stopChild(worker);
      await Promise.all([sfu.close(), stripe.close(), stt?.close()]);
    },
  };
}
