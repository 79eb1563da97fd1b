// `npm run doctor` on temp copies of the config: all good, a missing binding, no Workers AI binding for captions, a
// missing secret, twin migrations, the online Calls check against the real SFU stand-in (right and wrong secret), and
// the npm script's exit code.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { neededSecrets } from "../../dev/deploy/doctor-checks.ts";
import { runDoctor } from "../../dev/deploy/doctor-run.ts";
import { envNeeds } from "../../dev/deploy/env-needs.ts";
import { stateText } from "../../dev/deploy/setup-state.ts";
import { readDeployConfig } from "../../dev/deploy/wrangler-config.ts";
import { startSfu } from "../../dev/sfu/server.ts";

const ROOT = join(import.meta.dirname, "../..");
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "spaces-doctor-"));
  cpSync(join(ROOT, "wrangler.toml"), join(root, "wrangler.toml"));
  cpSync(join(ROOT, "migrations"), join(root, "migrations"), { recursive: true });
  mkdirSync(join(root, "worker"));
  cpSync(join(ROOT, "worker/worker-configuration.d.ts"), join(root, "worker/worker-configuration.d.ts"));
  // What a finished setup leaves behind: a real database id, the Calls app id, every secret recorded.
  editToml((toml) => toml.replace(/database_id = "[^"]*"/, 'database_id = "5d1e0c3a-9b7f-4e2a-8c61-0f3b2a7d9e41"').replace('CALLS_APP_ID = ""', 'CALLS_APP_ID = "app-1"'));
  recordSecrets(allSecrets());
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

function editToml(edit: (toml: string) => string): void {
  const file = join(root, "wrangler.toml");
  writeFileSync(file, edit(readFileSync(file, "utf8")));
}

function allSecrets(): string[] {
  const config = readDeployConfig(join(root, "wrangler.toml"));
  return neededSecrets(envNeeds(join(root, "worker/worker-configuration.d.ts")), config);
}

function recordSecrets(secrets: string[]): void {
  mkdirSync(join(root, ".wrangler"), { recursive: true });
  writeFileSync(join(root, ".wrangler/spaces-setup.json"), stateText({ buckets: ["spaces-media"], secrets, stripeMode: "test" }));
}

/** The doctor with no login and no credentials unless given. */
async function doctor(credentials: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const env = { XDG_CONFIG_HOME: join(root, "no-config"), ...credentials };
  const { problems, lines } = await runDoctor({ root, env });
  return { code: problems === 0 ? 0 : 1, out: lines.join("\n") };
}

describe("npm run doctor", () => {
  it("all good: every binding, migration and secret the Env type asks for is there, and it exits 0", async () => {
    const { code, out } = await doctor();
    expect(out).toContain("✓ bindings and settings: MEDIA (r2), DB (d1), AI (ai)");
    expect(out).toContain("✓ captions: Workers AI binding AI (speech-to-text, @cf/deepgram/nova-3)");
    expect(out).toContain("✓ DB: 1 migrations, numbered and journaled".replace("1 migrations", `${allMigrations()} migrations`));
    expect(out).toContain(`✓ secrets (as recorded by setup:cloudflare): ${allSecrets().join(", ")}`);
    expect(out).toContain("No problems found.");
    expect(code).toBe(0);
  }, 60_000);

  it("a binding the code needs but wrangler.toml lacks is named with its fix, and it exits 1", async () => {
    editToml((toml) => toml.replace(/\[\[r2_buckets\]\]\nbinding = "MEDIA"\nbucket_name = "spaces-media"\n/, ""));
    const { code, out } = await doctor();
    expect(out).toContain("✗ MEDIA: the code needs an R2 bucket binding; wrangler.toml has none");
    expect(out).toContain('    fix: add [[r2_buckets]] binding = "MEDIA" with a bucket_name to wrangler.toml, then run npm run setup:cloudflare');
    expect(code).toBe(1);
  }, 60_000);

  it("a deploy without the Workers AI binding is a problem: the code needs it and every room would lack captions", async () => {
    editToml((toml) => toml.replace(/\n\[ai\]\nbinding = "AI"\n/, "\n"));
    const { code, out } = await doctor();
    expect(out).toContain("✗ AI: the code needs the Workers AI binding; wrangler.toml has none");
    expect(out).toContain('    fix: add [ai] binding = "AI" to wrangler.toml');
    expect(out).toContain("✗ captions: no Workers AI binding, so every room would say captions are unavailable");
    expect(out).toContain("2 problems found.");
    expect(code).toBe(1);
  }, 60_000);

  it("a missing secret is named with its fix, and it exits 1", async () => {
    recordSecrets(allSecrets().filter((name) => name !== "STRIPE_WEBHOOK_SECRET"));
    const { code, out } = await doctor();
    expect(out).toContain("✗ STRIPE_WEBHOOK_SECRET is not set (as recorded by setup:cloudflare)");
    expect(out).toContain("fix: register the Stripe webhook endpoint");
    expect(out).toContain("1 problem found.");
    expect(code).toBe(1);
  }, 60_000);

  it("twin migration numbers (two branches' 0000) and a live key for a test deployment are problems", async () => {
    writeFileSync(join(root, "migrations/0000_other_branch.sql"), "CREATE TABLE x (id TEXT);\n");
    const { code, out } = await doctor({ STRIPE_SECRET_KEY: "sk_live_abc" });
    expect(out).toMatch(/✗ DB: \d{4}_\w+\.sql should be numbered \d{4}/);
    expect(out).toContain("✗ DB: 0000_other_branch.sql is not in meta/_journal.json");
    expect(out).toContain("✗ STRIPE_SECRET_KEY is a live-mode key, but this deployment is test mode");
    expect(code).toBe(1);
  }, 60_000);

  it("online: the Calls app is asked with its secret (the real SFU stand-in), and a wrong secret is a problem", async () => {
    const sfu = await startSfu({ appId: "app-1", appSecret: "right-secret" });
    try {
      editToml((toml) => toml.replace(/CALLS_API_BASE = "[^"]*"/, `CALLS_API_BASE = "${sfu.url}"`));
      const good = await doctor({ CALLS_APP_SECRET: "right-secret" });
      expect(good.out).toContain("✓ Calls app app-1 answers (a session was created)");
      expect(good.code).toBe(0);
      const wrong = await doctor({ CALLS_APP_SECRET: "wrong-secret" });
      expect(wrong.out).toContain("✗ Calls refused app app-1 with its secret (401 unauthorized)");
      expect(wrong.code).toBe(1);
    } finally {
      await sfu.close();
    }
  }, 60_000);

  it("the npm script prints the problems and exits 1 on a fresh clone's placeholder config", async () => {
    editToml((toml) => toml.replace(/database_id = "[^"]*"/, 'database_id = "00000000-0000-0000-0000-000000000000"'));
    const env = { ...process.env, CLOUDFLARE_API_TOKEN: "", XDG_CONFIG_HOME: join(root, "no-config"), CALLS_APP_SECRET: "", STRIPE_SECRET_KEY: "", STRIPE_WEBHOOK_SECRET: "" };
    const { code, out } = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(join(ROOT, "node_modules/.bin/node"), [join(ROOT, "dev/doctor.ts"), "--root", root], { env }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code) : 0, out: stdout + stderr });
      });
    });
    expect(out).toContain('✗ DB: D1 database "spaces" is not created yet (placeholder id)\n    fix: run npm run setup:cloudflare');
    expect(out).toContain("1 problem found.");
    expect(code).toBe(1);
  }, 60_000);
});

function allMigrations(): number {
  return JSON.parse(readFileSync(join(root, "migrations/meta/_journal.json"), "utf8")).entries.length;
}
