// `npm run doctor` as a function: offline checks of what the code needs (the generated Env type) against wrangler.toml,
// the migrations and the recorded secrets; with credentials at hand, Cloudflare, Calls and Stripe are asked too.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { checkSecrets, checkStripeMode, neededSecrets, offlineFindings } from "./doctor-checks.ts";
import { checkCallsApp, checkStripe } from "./doctor-online.ts";
import { readSetupState, statePath, type StripeMode } from "./setup-state.ts";
import { readDeployConfig } from "./wrangler-config.ts";

export type DoctorOptions = { root: string; env: Record<string, string | undefined>; offline?: boolean; stripeMode?: StripeMode };

/** Every check's line (✓, ✗ with its fix, or "not checked") and the number of problems. */
export async function runDoctor({ root, env, offline = false, stripeMode }: DoctorOptions): Promise<{ problems: number; lines: string[] }> {
  const config = readDeployConfig(join(root, "wrangler.toml"));
  const state = readSetupState(root);
  const intended = stripeMode ?? state.stripeMode ?? "test";
  const wrangler = (args: string[]) =>
    spawnSync(process.execPath, [join(import.meta.dirname, "../../node_modules/wrangler/bin/wrangler.js"), ...args], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, ...env, WRANGLER_SEND_METRICS: "false" },
    });

  /** A wrangler login exists when an API token is set or wrangler's OAuth config file holds a token. */
  const cloudflareLogin = (): boolean => {
    if (env.CLOUDFLARE_API_TOKEN) return true;
    const file = join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), ".wrangler/config/default.toml");
    return existsSync(file) && /oauth_token\s*=/.test(readFileSync(file, "utf8"));
  };

  const { needs, findings } = offlineFindings(root, config);
  const online = !offline;
  const skipped: string[] = [];

  const secrets = neededSecrets(needs, config);
  if (online && cloudflareLogin()) {
    const listed = wrangler(["secret", "list", "--format", "json"]);
    const names = listed.status === 0 ? secretNames(listed.stdout) : [];
    findings.push(...checkSecrets(secrets, names, "on Cloudflare"));
    for (const db of config.d1) {
      const pending = wrangler(["d1", "migrations", "list", db.database_name, "--remote"]);
      const clean = pending.status === 0 && /No migrations to apply/i.test(pending.stdout);
      findings.push(clean ? { ok: true, what: `${db.binding}: remote database has every migration` } : { ok: false, what: `${db.binding}: remote migrations are not all applied`, fix: `npx wrangler d1 migrations apply ${db.database_name} --remote` });
    }
  } else if (existsSync(statePath(root))) {
    findings.push(...checkSecrets(secrets, state.secrets, "as recorded by setup:cloudflare"));
    skipped.push("secrets on Cloudflare and remote migrations (no wrangler login)");
  } else {
    findings.push({ ok: false, what: `cannot tell whether the secrets ${secrets.join(", ")} are set`, fix: "run npm run setup:cloudflare, or npx wrangler login so the doctor can ask Cloudflare" });
  }

  findings.push(...checkStripeMode(intended, env.STRIPE_SECRET_KEY));
  const appId = env.CALLS_APP_ID || config.vars.CALLS_APP_ID;
  if (online && env.CALLS_APP_SECRET && appId) findings.push(await checkCallsApp(config.vars.CALLS_API_BASE ?? "", appId, env.CALLS_APP_SECRET));
  else skipped.push("the Calls app (set CALLS_APP_SECRET to check it)");
  if (online && env.STRIPE_SECRET_KEY) {
    findings.push(...(await checkStripe(config.vars.STRIPE_API_BASE ?? "https://api.stripe.com", env.STRIPE_SECRET_KEY, intended, config.vars.APP_ORIGIN || state.url)));
  } else skipped.push("Stripe's mode and webhook endpoints (set STRIPE_SECRET_KEY to check them)");
  if (env.STRIPE_WEBHOOK_SECRET) {
    const wellFormed = env.STRIPE_WEBHOOK_SECRET.split(",").every((secret) => secret.trim().startsWith("whsec_"));
    findings.push(wellFormed ? { ok: true, what: "STRIPE_WEBHOOK_SECRET looks like a signing secret" } : { ok: false, what: "STRIPE_WEBHOOK_SECRET is not a whsec_… signing secret", fix: "copy the endpoint's signing secret from Stripe (Developers → Webhooks)" });
  }

  const lines: string[] = [];
  for (const finding of findings) {
    lines.push(`${finding.ok ? "✓" : "✗"} ${finding.what}`);
    if (!finding.ok && finding.fix) lines.push(`    fix: ${finding.fix}`);
  }
  for (const what of skipped) lines.push(`- not checked: ${what}`);
  const problems = findings.filter((finding) => !finding.ok).length;
  lines.push(problems === 0 ? "No problems found." : `${problems} problem${problems === 1 ? "" : "s"} found.`);
  return { problems, lines };
}

function secretNames(listJson: string): string[] {
  try {
    return (JSON.parse(listJson) as { name?: unknown }[]).map((secret) => secret.name).filter((name): name is string => typeof name === "string");
  } catch {
    return [];
  }
}
