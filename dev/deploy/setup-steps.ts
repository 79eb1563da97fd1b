// The steps of `npm run setup:cloudflare`, each safe to repeat: look first (Cloudflare when online, wrangler.toml and
// .wrangler/spaces-setup.json in a dry run), then create or set only what is missing. A dry run runs and writes nothing
// and prints every command ("$ " changes something, "? " only looks) and every file change as a diff.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CONNECT_WEBHOOK_EVENTS, PLATFORM_WEBHOOK_EVENTS, STRIPE_WEBHOOK_PATH } from "../../worker/payments/webhook-events.ts";
import { vapidKeyPair } from "../vapid-keys.ts";
import { envNeeds } from "./env-needs.ts";
import { readSetupState, stateText, stripeKeyMode, writeSetupState, type StripeMode } from "./setup-state.ts";
import { lineDiff, PLACEHOLDER_D1_ID, readDeployConfig, setTomlString, withAiBinding } from "./wrangler-config.ts";

export type ShellResult = { code: number; stdout: string; stderr: string };
/** Runs `wrangler …` or `npm …` in the project root; `secretsFile` content is written to a private temp file. */
export type Shell = (argv: string[], options?: { secretsFile?: Record<string, string> }) => Promise<ShellResult>;

/** Values people bring: from flags, the environment or a prompt. */
export type GivenValues = Partial<Record<"CALLS_APP_ID" | "CALLS_APP_SECRET" | "STRIPE_SECRET_KEY" | "STRIPE_WEBHOOK_SECRET" | "APP_ORIGIN", string>>;

export type SetupOptions = {
  root: string;
  dryRun: boolean;
  stripeMode: StripeMode;
  given: GivenValues;
  /** Asks a person for a value; undefined when nobody can answer (no terminal). */
  ask: (name: string) => Promise<string | undefined>;
  shell: Shell;
  print: (line: string) => void;
};

export class SetupError extends Error {}

const ASKED_SECRETS = new Set(["CALLS_APP_SECRET", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"]);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

export async function setupCloudflare(options: SetupOptions): Promise<{ url: string; missingSecrets: string[] }> {
  const { root, dryRun, print } = options;
  for (const [name, value] of Object.entries(options.given)) if (value) checkSecret(name, value, options.stripeMode);
  const configFile = join(root, "wrangler.toml");
  const config = readDeployConfig(configFile);
  const state = readSetupState(root);
  const stateBefore = stateText(readSetupState(root));
  let toml = readFileSync(configFile, "utf8");
  const tomlBefore = toml;

  const look = async (argv: string[], note: string): Promise<ShellResult | undefined> => {
    print(`  ? wrangler ${argv.join(" ")}${dryRun ? `   (dry run: ${note})` : ""}`);
    return dryRun ? undefined : options.shell(["wrangler", ...argv]);
  };
  const change = async (argv: string[], shown = argv.join(" "), secretsFile?: Record<string, string>): Promise<ShellResult> => {
    print(`  $ ${shown}`);
    if (dryRun) return { code: 0, stdout: "", stderr: "" };
    const result = await options.shell(argv, secretsFile ? { secretsFile } : {});
    if (result.code !== 0) throw new SetupError(`${shown} failed:\n${(result.stderr || result.stdout).trim()}`);
    return result;
  };
  const saveToml = (why: string) => {
    if (dryRun) return;
    writeFileSync(configFile, toml);
    print(`  wrote wrangler.toml (${why})`);
  };

  print("▶ Cloudflare login");
  const whoami = await look(["whoami"], "assumed logged in");
  if (whoami && (whoami.code !== 0 || /not authenticated/i.test(whoami.stdout))) {
    throw new SetupError("wrangler is not logged in: run `npx wrangler login` (or set CLOUDFLARE_API_TOKEN), then run this again.");
  }

  for (const db of config.d1) {
    print(`▶ D1 database "${db.database_name}" (binding ${db.binding})`);
    const recorded = db.database_id && db.database_id !== PLACEHOLDER_D1_ID ? db.database_id : undefined;
    const info = await look(["d1", "info", db.database_name, "--json"], recorded ? `wrangler.toml records ${recorded}` : "nothing recorded");
    let id = info?.code === 0 ? UUID.exec(info.stdout)?.[0] : recorded;
    if (recorded && !dryRun && !id) {
      throw new SetupError(`wrangler.toml records D1 database ${recorded}, but this account has no database "${db.database_name}". Put database_id back to ${PLACEHOLDER_D1_ID} to create a new one.`);
    }
    if (!id) {
      await change(["wrangler", "d1", "create", db.database_name]);
      const created = await look(["d1", "info", db.database_name, "--json"], "reads the new id");
      id = created ? UUID.exec(created.stdout)?.[0] : "<id of the new database>";
      if (!id) throw new SetupError(`created D1 database "${db.database_name}" but could not read its id; run this again.`);
    }
    toml = setTomlString(toml, { header: "[[d1_databases]]", where: { key: "binding", value: db.binding } }, "database_id", id);
    saveToml(`database_id of ${db.binding}`);
  }

  for (const bucket of config.r2) {
    print(`▶ R2 bucket "${bucket.bucket_name}" (binding ${bucket.binding})`);
    const recorded = state.buckets.includes(bucket.bucket_name);
    const info = await look(["r2", "bucket", "info", bucket.bucket_name], recorded ? "recorded as created" : "nothing recorded");
    const exists = info ? info.code === 0 : recorded;
    if (!exists) await change(["wrangler", "r2", "bucket", "create", bucket.bucket_name]);
    state.buckets.push(bucket.bucket_name);
    if (!dryRun) writeSetupState(root, state);
  }

  print("▶ Settings in wrangler.toml [vars]");
  const callsAppId = options.given.CALLS_APP_ID || config.vars.CALLS_APP_ID || (await options.ask("CALLS_APP_ID"));
  if (!callsAppId && !dryRun) throw new SetupError("CALLS_APP_ID is needed: the Realtime (Calls) app id from the Cloudflare dashboard (--calls-app-id).");
  toml = setTomlString(toml, { header: "[vars]" }, "CALLS_APP_ID", callsAppId || "<your Calls app id>");
  if (options.given.APP_ORIGIN) toml = setTomlString(toml, { header: "[vars]" }, "APP_ORIGIN", options.given.APP_ORIGIN);
  // Captions' speech-to-text in production is Workers AI: a config from before the binding was checked in gets it here.
  if (!config.ai) toml = withAiBinding(toml);
  else if (config.ai.binding !== "AI") throw new SetupError(`wrangler.toml's [ai] binding is "${config.ai.binding}", but the code reads env.AI: set binding = "AI".`);
  saveToml("settings");
  const tomlDiff = lineDiff("wrangler.toml", tomlBefore, toml);
  if (dryRun) print(tomlDiff ? indent(tomlDiff) : "  wrangler.toml: no change");

  print("▶ Secrets");
  const needed = envNeeds(join(root, "worker/worker-configuration.d.ts"))
    .filter((need) => need.kind === "string" && !(need.name in config.vars))
    .map((need) => need.name);
  const listed = await look(["secret", "list", "--format", "json"], `recorded as set: ${state.secrets.join(", ") || "none"}`);
  const existing = listed ? secretNamesIn(listed) : state.secrets;
  const { values, shown, missing } = await newSecrets(needed.filter((name) => !existing.includes(name)), options);
  for (const line of shown) print(`  ${line}`);

  for (const db of config.d1) {
    print(`▶ Migrations for "${db.database_name}"`);
    await change(["wrangler", "d1", "migrations", "apply", db.database_name, "--remote"]);
  }

  print("▶ Build and deploy");
  await change(["npm", "run", "build"]);
  const hasSecrets = Object.keys(values).length > 0;
  const deployArgs = ["wrangler", "deploy", ...(hasSecrets ? ["--secrets-file", "<temp secrets.json>"] : [])];
  const deployed = await change(deployArgs, deployArgs.join(" "), hasSecrets ? values : undefined);
  const workersUrl = /https:\/\/[^\s]+\.workers\.dev/.exec(deployed.stdout)?.[0];
  const url = options.given.APP_ORIGIN || config.vars.APP_ORIGIN || workersUrl || state.url || "<your Worker's URL>";
  // The Worker needs its own origin where no request tells it (the origin the SFU dials for captions, links in
  // notifications), and the workers.dev URL is known only after the first deploy: record it, then deploy once more.
  if (!options.given.APP_ORIGIN && !config.vars.APP_ORIGIN) {
    print("▶ Record the Worker's URL as APP_ORIGIN (first run only)");
    const beforeOrigin = toml;
    toml = setTomlString(toml, { header: "[vars]" }, "APP_ORIGIN", url);
    if (dryRun) print(indent(lineDiff("wrangler.toml", beforeOrigin, toml)));
    saveToml("APP_ORIGIN");
    await change(["wrangler", "deploy"]);
  }

  state.secrets.push(...existing, ...Object.keys(values));
  state.stripeMode = options.stripeMode;
  if (!url.startsWith("<")) state.url = url;
  if (dryRun) {
    const stateDiff = lineDiff(".wrangler/spaces-setup.json", stateBefore, stateText(state));
    print(stateDiff ? indent(stateDiff) : "  .wrangler/spaces-setup.json: no change");
  } else writeSetupState(root, state);

  print("");
  print(`Deployed: ${url}`);
  print(`Register this Stripe webhook endpoint (${options.stripeMode} mode): ${url}${STRIPE_WEBHOOK_PATH}`);
  print(`  events from your account: ${PLATFORM_WEBHOOK_EVENTS.join(", ")}`);
  print(`  events from connected accounts (a second, "Connect" endpoint, same URL): ${CONNECT_WEBHOOK_EVENTS.join(", ")}`);
  if (missing.length > 0) print(`Still missing: ${missing.join(", ")}. Run this again with them (see --help) once you have them.`);
  print(`Then check everything with: npm run doctor`);
  if (dryRun) print("(dry run: nothing was run or written)");
  return { url, missingSecrets: missing };
}

/** Generates what can be generated, takes or asks for the rest; only a webhook secret may still be missing. */
async function newSecrets(names: string[], options: SetupOptions) {
  const values: Record<string, string> = {};
  const shown: string[] = [];
  const missing: string[] = [];
  for (const name of names) {
    if (name in values) continue;
    if (name === "SESSION_SECRET") {
      values[name] = randomBytes(32).toString("hex");
      shown.push(`${name}: generated (32 random bytes)`);
    } else if (name === "VAPID_PUBLIC_KEY" || name === "VAPID_PRIVATE_KEY") {
      Object.assign(values, vapidKeyPair());
      shown.push("VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: generated (one P-256 pair)");
    } else {
      const value = options.given[name as keyof GivenValues] || (await options.ask(name));
      if (value) {
        checkSecret(name, value, options.stripeMode);
        values[name] = value;
        shown.push(`${name}: given`);
      } else if (options.dryRun && ASKED_SECRETS.has(name) && name !== "STRIPE_WEBHOOK_SECRET") {
        values[name] = "";
        shown.push(`${name}: asked for (not given in this dry run)`);
      } else if (name === "STRIPE_WEBHOOK_SECRET" || options.dryRun) {
        missing.push(name);
        shown.push(`${name}: not set yet`);
      } else {
        throw new SetupError(`${name} is needed: pass it as a flag or environment variable (see --help).`);
      }
    }
  }
  return { values, shown, missing };
}

function checkSecret(name: string, value: string, mode: StripeMode): void {
  if (name === "STRIPE_SECRET_KEY" && stripeKeyMode(value) !== mode) {
    throw new SetupError(`STRIPE_SECRET_KEY is not a ${mode}-mode key (sk_${mode}_… or rk_${mode}_…); pass --stripe-mode to deploy the other mode.`);
  }
  if (name === "STRIPE_WEBHOOK_SECRET" && !value.startsWith("whsec_")) {
    throw new SetupError("STRIPE_WEBHOOK_SECRET is the endpoint's signing secret and starts with whsec_.");
  }
}

function secretNamesIn(result: ShellResult): string[] {
  // A Worker that was never deployed has no secrets to list.
  if (result.code !== 0) return [];
  try {
    const parsed = JSON.parse(result.stdout) as { name?: unknown }[];
    return parsed.map((secret) => secret.name).filter((name): name is string => typeof name === "string");
  } catch {
    return [];
  }
}

const indent = (text: string) => text.split("\n").map((line) => `  ${line}`).join("\n");
