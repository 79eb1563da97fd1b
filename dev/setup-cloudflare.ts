// `npm run setup:cloudflare`: from a wrangler login to a deployed Space — D1, R2, settings, secrets, remote
// migrations, deploy — repeatable and resumable; `--dry-run` prints every command and file change and runs nothing.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { SetupError, setupCloudflare, type GivenValues, type Shell } from "./deploy/setup-steps.ts";

const HELP = `npm run setup:cloudflare -- [options]

  --dry-run                      print every command and file change; run and write nothing
  --stripe-mode test|live        which Stripe mode this deployment uses (default: test)
  --calls-app-id ID              Realtime (Calls) app id          (or env CALLS_APP_ID)
  --calls-app-secret SECRET      Realtime (Calls) app secret      (or env CALLS_APP_SECRET)
  --stripe-secret-key KEY        sk_test_… / sk_live_… (or rk_…)  (or env STRIPE_SECRET_KEY)
  --stripe-webhook-secret WHSEC  signing secret(s) of the registered endpoint(s), comma-separated
                                                                  (or env STRIPE_WEBHOOK_SECRET)
  --origin URL                   public origin if not the workers.dev URL (APP_ORIGIN)
Values not given are asked for on a terminal. Already-set secrets are never replaced.`;

const { values: flags } = parseArgs({
  options: {
    "dry-run": { type: "boolean", default: false },
    root: { type: "string" },
    "stripe-mode": { type: "string", default: "test" },
    "calls-app-id": { type: "string" },
    "calls-app-secret": { type: "string" },
    "stripe-secret-key": { type: "string" },
    "stripe-webhook-secret": { type: "string" },
    origin: { type: "string" },
    help: { type: "boolean", default: false },
  },
});

if (flags.help) {
  console.log(HELP);
  process.exit(0);
}
const stripeMode = flags["stripe-mode"];
if (stripeMode !== "test" && stripeMode !== "live") {
  console.error("--stripe-mode is test or live");
  process.exit(2);
}
const root = resolve(flags.root ?? join(import.meta.dirname, ".."));
const env = process.env;
const given: GivenValues = {
  CALLS_APP_ID: flags["calls-app-id"] ?? env.CALLS_APP_ID,
  CALLS_APP_SECRET: flags["calls-app-secret"] ?? env.CALLS_APP_SECRET,
  STRIPE_SECRET_KEY: flags["stripe-secret-key"] ?? env.STRIPE_SECRET_KEY,
  STRIPE_WEBHOOK_SECRET: flags["stripe-webhook-secret"] ?? env.STRIPE_WEBHOOK_SECRET,
  APP_ORIGIN: flags.origin ?? env.APP_ORIGIN,
};

/** Runs wrangler (this project's) or npm in the project root; a secrets file lives only for the one command. */
const shell: Shell = async (argv, options = {}) => {
  const [tool, ...args] = argv;
  const dir = options.secretsFile ? mkdtempSync(join(tmpdir(), "spaces-secrets-")) : undefined;
  try {
    if (dir && options.secretsFile) {
      const file = join(dir, "secrets.json");
      writeFileSync(file, JSON.stringify(options.secretsFile), { mode: 0o600 });
      args.splice(args.indexOf("<temp secrets.json>"), 1, file);
    }
    const command = tool === "wrangler" ? process.execPath : "npm";
    const commandArgs = tool === "wrangler" ? [join(import.meta.dirname, "../node_modules/wrangler/bin/wrangler.js"), ...args] : args;
    return await new Promise((done) => {
      const child = spawn(command, commandArgs, { cwd: root, env: { ...env, WRANGLER_SEND_METRICS: "false" } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      child.stderr.on("data", (chunk) => (stderr += chunk));
      child.on("close", (code) => done({ code: code ?? 1, stdout, stderr }));
    });
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
};

/** Asks on a terminal, without echoing secrets; nobody to ask when stdin is not a terminal. */
async function ask(name: string): Promise<string | undefined> {
  if (!process.stdin.isTTY) return undefined;
  let muted = false;
  const output = new Writable({ write: (chunk, _encoding, callback) => (muted || process.stdout.write(chunk), callback()) });
  const prompt = createInterface({ input: process.stdin, output, terminal: true });
  try {
    process.stdout.write(`${name} (empty to skip): `);
    muted = name !== "CALLS_APP_ID";
    const answer = (await prompt.question("")).trim();
    if (muted) process.stdout.write("\n");
    return answer || undefined;
  } finally {
    prompt.close();
  }
}

console.log(`Spaces → Cloudflare setup${flags["dry-run"] ? " (dry run: nothing is run or written)" : ""}`);
try {
  await setupCloudflare({ root, dryRun: flags["dry-run"], stripeMode, given, ask, shell, print: (line) => console.log(line) });
} catch (error) {
  if (!(error instanceof SetupError)) throw error;
  console.error(`✗ ${error.message}`);
  console.error("Everything done so far is kept; run the same command again to continue.");
  process.exit(1);
}
