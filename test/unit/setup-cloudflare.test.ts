// `npm run setup:cloudflare` on a fresh temp copy of the config: the dry run prints every command and file change and
// writes nothing; a run with a scripted wrangler records ids and secrets; after that, runs plan no creates at all; an
// older config without the Workers AI binding gets it.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setupCloudflare, type Shell, type ShellResult } from "../../dev/deploy/setup-steps.ts";
import { readSetupState } from "../../dev/deploy/setup-state.ts";
import { readDeployConfig } from "../../dev/deploy/wrangler-config.ts";

const ROOT = join(import.meta.dirname, "../..");
const DB_ID = "5d1e0c3a-9b7f-4e2a-8c61-0f3b2a7d9e41";
const STRIPE = { STRIPE_SECRET_KEY: "sk_test_contract", CALLS_APP_SECRET: "calls-secret" };
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "spaces-setup-"));
  cpSync(join(ROOT, "wrangler.toml"), join(root, "wrangler.toml"));
  mkdirSync(join(root, "worker"));
  cpSync(join(ROOT, "worker/worker-configuration.d.ts"), join(root, "worker/worker-configuration.d.ts"));
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A stand-in for wrangler and npm that answers from a small account model, and logs every call. */
function scriptedAccount(account: { databases: Map<string, string>; buckets: Set<string>; secrets: Set<string> }) {
  const calls: { argv: string[]; secretNames?: string[] }[] = [];
  const ok = (stdout = ""): ShellResult => ({ code: 0, stdout, stderr: "" });
  const fail = (stderr: string): ShellResult => ({ code: 1, stdout: "", stderr });
  const shell: Shell = async (argv, options = {}) => {
    calls.push({ argv, ...(options.secretsFile ? { secretNames: Object.keys(options.secretsFile).sort() } : {}) });
    const command = argv.join(" ");
    if (command === "wrangler whoami") return ok("You are logged in with an OAuth Token, associated with the email ana@example.com.");
    let match = /^wrangler d1 info (\S+) --json$/.exec(command);
    if (match) return account.databases.has(match[1]!) ? ok(JSON.stringify({ uuid: account.databases.get(match[1]!), name: match[1] })) : fail("Couldn't find DB");
    if ((match = /^wrangler d1 create (\S+)$/.exec(command))) return account.databases.set(match[1]!, DB_ID), ok();
    if ((match = /^wrangler r2 bucket info (\S+)$/.exec(command))) return account.buckets.has(match[1]!) ? ok() : fail("The specified bucket does not exist.");
    if ((match = /^wrangler r2 bucket create (\S+)$/.exec(command))) return account.buckets.add(match[1]!), ok();
    if (command === "wrangler secret list --format json") {
      return account.secrets.size ? ok(JSON.stringify([...account.secrets].map((name) => ({ name, type: "secret_text" })))) : fail("This Worker does not exist");
    }
    if (argv[0] === "wrangler" && argv[1] === "deploy") {
      for (const name of Object.keys(options.secretsFile ?? {})) account.secrets.add(name);
      return ok("Deployed spaces triggers\n  https://spaces.ana.workers.dev\n  schedule: * * * * *");
    }
    if (/^wrangler d1 migrations apply \S+ --remote$/.test(command) || command === "npm run build") return ok();
    return fail(`unexpected command: ${command}`);
  };
  return { shell, calls };
}

async function run(dryRun: boolean, shell: Shell, given = {}) {
  const lines: string[] = [];
  const result = await setupCloudflare({
    root,
    dryRun,
    stripeMode: "test",
    given,
    ask: async () => undefined,
    shell,
    print: (line) => lines.push(line),
  });
  const commands = lines.filter((line) => line.startsWith("  $ ")).map((line) => line.slice(4));
  return { result, lines, commands, text: lines.join("\n") };
}

const noShell: Shell = async (argv) => {
  throw new Error(`a dry run ran ${argv.join(" ")}`);
};

describe("setup:cloudflare", () => {
  it("dry run on a fresh clone: plans every create, prints the config diff, and writes nothing", async () => {
    const before = readFileSync(join(root, "wrangler.toml"), "utf8");
    const { commands, text } = await run(true, noShell, { CALLS_APP_ID: "app-1", ...STRIPE });
    expect(commands).toEqual([
      "wrangler d1 create spaces",
      "wrangler r2 bucket create spaces-media",
      "wrangler d1 migrations apply spaces --remote",
      "npm run build",
      "wrangler deploy --secrets-file <temp secrets.json>",
      "wrangler deploy",
    ]);
    expect(text).toContain(['  - APP_ORIGIN = ""', `  + APP_ORIGIN = "<your Worker's URL>"`].join("\n"));
    const lineOf = (start: string) => before.split("\n").findIndex((line) => line.startsWith(start)) + 1;
    expect(text).toContain(
      [`  @@ line ${lineOf("database_id")} @@`, '  - database_id = "00000000-0000-0000-0000-000000000000"', '  + database_id = "<id of the new database>"'].join("\n"),
    );
    expect(text).toContain([`  @@ line ${lineOf("CALLS_APP_ID")} @@`, '  - CALLS_APP_ID = ""', '  + CALLS_APP_ID = "app-1"'].join("\n"));
    expect(text).toContain("SESSION_SECRET: generated");
    expect(text).toContain("STRIPE_SECRET_KEY: given");
    expect(text).toContain("Still missing: STRIPE_WEBHOOK_SECRET");
    expect(text).not.toContain("sk_test_contract");
    expect(readFileSync(join(root, "wrangler.toml"), "utf8")).toBe(before);
    expect(existsSync(join(root, ".wrangler"))).toBe(false);
  });

  it("a run records the database id and what it set; the next run and dry run create nothing and change no file", async () => {
    const account = { databases: new Map<string, string>(), buckets: new Set<string>(), secrets: new Set<string>() };
    const first = scriptedAccount(account);
    const { result } = await run(false, first.shell, { CALLS_APP_ID: "app-1", ...STRIPE });
    expect(result.url).toBe("https://spaces.ana.workers.dev");
    const toml = readFileSync(join(root, "wrangler.toml"), "utf8");
    expect(toml).toContain(`database_id = "${DB_ID}"`);
    expect(toml).toContain('CALLS_APP_ID = "app-1"');
    expect(toml).toContain('APP_ORIGIN = "https://spaces.ana.workers.dev"');
    expect(first.calls.filter((call) => call.argv[1] === "deploy")).toHaveLength(2);
    const deploy = first.calls.find((call) => call.argv[1] === "deploy");
    expect(deploy?.secretNames).toEqual(["CALLS_APP_SECRET", "SESSION_SECRET", "STRIPE_SECRET_KEY", "VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY"]);
    expect(readSetupState(root)).toEqual({
      buckets: ["spaces-media"],
      secrets: ["CALLS_APP_SECRET", "SESSION_SECRET", "STRIPE_SECRET_KEY", "VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY"],
      stripeMode: "test",
      url: "https://spaces.ana.workers.dev",
    });

    // The webhook secret arrives after registering the endpoint: only it is set, nothing is created or regenerated.
    const second = scriptedAccount(account);
    const again = await run(false, second.shell, { STRIPE_WEBHOOK_SECRET: "whsec_abc" });
    expect(again.commands).toEqual(["wrangler d1 migrations apply spaces --remote", "npm run build", "wrangler deploy --secrets-file <temp secrets.json>"]);
    expect(second.calls.find((call) => call.argv[1] === "deploy")?.secretNames).toEqual(["STRIPE_WEBHOOK_SECRET"]);
    expect(readFileSync(join(root, "wrangler.toml"), "utf8")).toBe(toml);

    const dry = await run(true, noShell);
    expect(dry.commands).toEqual(["wrangler d1 migrations apply spaces --remote", "npm run build", "wrangler deploy"]);
    expect(dry.text).toContain("wrangler.toml: no change");
    expect(dry.text).toContain(".wrangler/spaces-setup.json: no change");
    expect(dry.text).not.toContain("Still missing");
  });

  it("a config without the Workers AI binding gets it: shown in the dry run's diff, written by the run", async () => {
    const file = join(root, "wrangler.toml");
    writeFileSync(file, readFileSync(file, "utf8").replace(/\n\[ai\]\nbinding = "AI"\n/, "\n"));
    expect(readDeployConfig(file).ai).toBeUndefined();
    const before = readFileSync(file, "utf8");
    const dry = await run(true, noShell, { CALLS_APP_ID: "app-1", ...STRIPE });
    expect(dry.text).toContain(["  + [ai]", '  + binding = "AI"'].join("\n"));
    expect(readFileSync(file, "utf8")).toBe(before);

    const account = scriptedAccount({ databases: new Map<string, string>(), buckets: new Set<string>(), secrets: new Set<string>() });
    await run(false, account.shell, { CALLS_APP_ID: "app-1", ...STRIPE });
    expect(readDeployConfig(file).ai).toEqual({ binding: "AI" });
    const dryAgain = await run(true, noShell);
    expect(dryAgain.text).toContain("wrangler.toml: no change");
  });

  it("refuses a Stripe key of the other mode before creating anything", async () => {
    const account = scriptedAccount({ databases: new Map([["spaces", DB_ID]]), buckets: new Set(["spaces-media"]), secrets: new Set() });
    await expect(run(false, account.shell, { CALLS_APP_ID: "app-1", CALLS_APP_SECRET: "s", STRIPE_SECRET_KEY: "sk_live_x" })).rejects.toThrow(
      "STRIPE_SECRET_KEY is not a test-mode key",
    );
    expect(account.calls).toEqual([]);
  });

  it("the npm script's dry run works on a fresh copy and exits 0", () => {
    const result = spawnSync(join(ROOT, "node_modules/.bin/node"), [join(ROOT, "dev/setup-cloudflare.ts"), "--dry-run", "--root", root, "--calls-app-id", "app-1"], {
      encoding: "utf8",
      // No Calls or Stripe values from the environment may leak into the run.
      env: { ...process.env, CALLS_APP_ID: "", CALLS_APP_SECRET: "", STRIPE_SECRET_KEY: "", STRIPE_WEBHOOK_SECRET: "", APP_ORIGIN: "" },
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("  $ wrangler d1 create spaces\n");
    expect(result.stdout).toContain("CALLS_APP_SECRET: asked for (not given in this dry run)");
    expect(result.stdout).toContain("Register this Stripe webhook endpoint (test mode): <your Worker's URL>/api/stripe/webhook");
    expect(existsSync(join(root, ".wrangler"))).toBe(false);
  }, 60_000);
});
