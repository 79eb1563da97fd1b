// The offline half of `npm run doctor`: the Worker's needs (its generated Env type) against wrangler.toml, the
// migrations folder, the recorded secrets and the Stripe mode. Each finding says what is wrong and how to fix it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { envNeeds, type EnvNeed } from "./env-needs.ts";
import { stripeKeyMode, type StripeMode } from "./setup-state.ts";
import { PLACEHOLDER_D1_ID, type DeployConfig } from "./wrangler-config.ts";

export type Finding = { ok: boolean; what: string; fix?: string };

/**
 * Settings a deployment cannot work without, though wrangler.toml ships them empty. Other empty settings are
 * optional by design (APP_ORIGIN falls back to the request's origin, STT_WS_URL is for the local stand-in only).
 */
const REQUIRED_VALUES = new Set(["CALLS_APP_ID"]);
const SETUP = "npm run setup:cloudflare";

export function checkBindings(needs: EnvNeed[], config: DeployConfig): Finding[] {
  const findings: Finding[] = [];
  const problem = (what: string, fix: string) => findings.push({ ok: false, what, fix });
  for (const need of needs) {
    const { name } = need;
    if (need.kind === "d1") {
      const db = config.d1.find((entry) => entry.binding === name);
      if (!db) problem(`${name}: the code needs a D1 database binding; wrangler.toml has none`, `add [[d1_databases]] binding = "${name}" to wrangler.toml, then run ${SETUP}`);
      else if (!db.database_id || db.database_id === PLACEHOLDER_D1_ID) problem(`${name}: D1 database "${db.database_name}" is not created yet (placeholder id)`, `run ${SETUP}`);
    } else if (need.kind === "r2") {
      if (!config.r2.some((entry) => entry.binding === name && entry.bucket_name)) {
        problem(`${name}: the code needs an R2 bucket binding; wrangler.toml has none`, `add [[r2_buckets]] binding = "${name}" with a bucket_name to wrangler.toml, then run ${SETUP}`);
      }
    } else if (need.kind === "kv") {
      if (!config.kv.some((entry) => entry.binding === name && entry.id)) problem(`${name}: the code needs a KV namespace binding with an id`, `npx wrangler kv namespace create ${name}, then add it under [[kv_namespaces]]`);
    } else if (need.kind === "durable_object") {
      const binding = config.durableObjects.find((entry) => entry.name === name);
      if (!binding) problem(`${name}: the code needs a Durable Object binding; wrangler.toml has none`, `add [[durable_objects.bindings]] name = "${name}" to wrangler.toml`);
      else if (!config.migratedClasses.includes(binding.class_name)) {
        problem(`${name}: class ${binding.class_name} is in no [[migrations]] entry, so deploy cannot create it`, `add a [[migrations]] tag with new_sqlite_classes = ["${binding.class_name}"]`);
      }
    } else if (need.kind === "assets") {
      if (config.assets?.binding !== name) problem(`${name}: the code needs the static assets binding`, `set [assets] binding = "${name}" in wrangler.toml`);
    } else if (need.kind === "rate_limit") {
      if (!config.rateLimits.some((entry) => entry.name === name)) problem(`${name}: the code needs a rate limiting binding`, `add [[ratelimits]] name = "${name}" with a namespace_id to wrangler.toml`);
    } else if (need.kind === "ai") {
      if (config.ai?.binding !== name) problem(`${name}: the code needs the Workers AI binding; wrangler.toml has none`, `add [ai] binding = "${name}" to wrangler.toml`);
    } else if (need.kind === "string") {
      const value = config.vars[name];
      if (value === "" && REQUIRED_VALUES.has(name)) problem(`${name}: the setting is empty in wrangler.toml [vars]`, `set it (${SETUP} sets CALLS_APP_ID)`);
    } else {
      problem(`${name}: ${need.type} is a binding kind this doctor does not know`, "check it in wrangler.toml by hand and teach dev/deploy/env-needs.ts its kind");
    }
  }
  // The other way round: a binding in wrangler.toml the Env type lacks means the types are older than the config.
  const declared = new Set(needs.map((need) => need.name));
  const configured = [...config.d1.map((d) => d.binding), ...config.r2.map((r) => r.binding), ...config.kv.map((k) => k.binding), ...config.durableObjects.map((d) => d.name), ...Object.keys(config.vars)];
  for (const name of configured) {
    if (!declared.has(name)) problem(`${name} is in wrangler.toml but not in the Env type: worker/worker-configuration.d.ts is stale`, "run npm run types");
  }
  if (findings.length === 0) findings.push({ ok: true, what: `bindings and settings: ${needs.filter((n) => n.kind !== "string").map((n) => `${n.name} (${n.kind})`).join(", ")}` });
  return findings;
}

/**
 * Captions in production: speech-to-text is Workers AI through the `AI` binding (worker/media/stt/provider.ts) unless
 * STT_WS_URL names another recogniser; with neither (or STT_WS_URL "none"), every room says captions are unavailable.
 */
export function checkCaptions(config: DeployConfig): Finding[] {
  const sttUrl = config.vars.STT_WS_URL ?? "";
  if (sttUrl !== "" && sttUrl !== "none") return [{ ok: true, what: `captions: speech-to-text at STT_WS_URL (${sttUrl}), not Workers AI` }];
  if (sttUrl === "" && config.ai?.binding === "AI") return [{ ok: true, what: "captions: Workers AI binding AI (speech-to-text, @cf/deepgram/nova-3)" }];
  const why = sttUrl === "none" ? 'STT_WS_URL is "none"' : "no Workers AI binding";
  const fix = sttUrl === "none" ? 'set STT_WS_URL = "" in wrangler.toml [vars] ("none" is for local runs)' : 'add [ai] binding = "AI" to wrangler.toml (npm start and the tests run it offline with --local)';
  return [{ ok: false, what: `captions: ${why}, so every room would say captions are unavailable`, fix }];
}

/** Names of the secrets the code needs: Env strings that wrangler.toml does not set as [vars]. */
export function neededSecrets(needs: EnvNeed[], config: DeployConfig): string[] {
  return needs.filter((need) => need.kind === "string" && !(need.name in config.vars)).map((need) => need.name);
}

export function checkSecrets(needed: string[], set: string[], source: string): Finding[] {
  const missing = needed.filter((name) => !set.includes(name));
  if (missing.length === 0) return [{ ok: true, what: `secrets (${source}): ${needed.join(", ")}` }];
  return missing.map((name) => ({
    ok: false,
    what: `${name} is not set (${source})`,
    fix:
      name === "STRIPE_WEBHOOK_SECRET"
        ? `register the Stripe webhook endpoint ${SETUP} printed, then ${SETUP} -- --stripe-webhook-secret whsec_…`
        : `run ${SETUP} (it generates or asks for it), or npx wrangler secret put ${name}`,
  }));
}

/** Migration files numbered 0000, 0001, … without gaps or twins, and each one in drizzle's journal. */
export function checkMigrations(root: string, config: DeployConfig): Finding[] {
  const findings: Finding[] = [];
  for (const db of config.d1) {
    const dir = join(root, db.migrations_dir);
    if (!existsSync(dir)) {
      findings.push({ ok: false, what: `${db.binding}: migrations folder ${db.migrations_dir}/ does not exist`, fix: "run npm run db:generate" });
      continue;
    }
    const files = readdirSync(dir).filter((file) => file.endsWith(".sql")).sort();
    const numbers = files.map((file) => Number(/^(\d{4})_/.exec(file)?.[1] ?? NaN));
    const journalFile = join(dir, "meta/_journal.json");
    const tags = existsSync(journalFile) ? (JSON.parse(readFileSync(journalFile, "utf8")) as { entries: { tag: string }[] }).entries.map((e) => e.tag) : [];
    const problems: string[] = [];
    numbers.forEach((number, index) => {
      if (number !== index) problems.push(`${files[index]} should be numbered ${String(index).padStart(4, "0")} (a gap, a twin or a bad name)`);
    });
    for (const file of files) if (!tags.includes(file.replace(/\.sql$/, ""))) problems.push(`${file} is not in meta/_journal.json`);
    for (const tag of tags) if (!files.includes(`${tag}.sql`)) problems.push(`meta/_journal.json lists ${tag} but ${tag}.sql is missing`);
    if (problems.length === 0) findings.push({ ok: true, what: `${db.binding}: ${files.length} migrations, numbered and journaled` });
    for (const problem of problems) findings.push({ ok: false, what: `${db.binding}: ${problem}`, fix: "drop the stray migration and regenerate with npm run db:generate" });
  }
  return findings;
}

export function checkStripeMode(intended: StripeMode, key: string | undefined): Finding[] {
  if (!key) return [];
  const mode = stripeKeyMode(key);
  if (mode === intended) return [{ ok: true, what: `STRIPE_SECRET_KEY is a ${mode}-mode key, as intended` }];
  return [{ ok: false, what: `STRIPE_SECRET_KEY is ${mode ? `a ${mode}-mode key` : "not a Stripe secret key"}, but this deployment is ${intended} mode`, fix: `use an sk_${intended}_… key, or pass --stripe-mode ${mode ?? intended}` }];
}

export function offlineFindings(root: string, config: DeployConfig) {
  const needs = envNeeds(join(root, "worker/worker-configuration.d.ts"));
  return { needs, findings: [...checkBindings(needs, config), ...checkCaptions(config), ...checkMigrations(root, config)] };
}
