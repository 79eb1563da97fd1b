// What `npm run setup:cloudflare` has done on the account, kept in .wrangler/spaces-setup.json (git-ignored): the
// buckets it made and the secret names it set (never values). Online runs ask Cloudflare; this lets a dry run and
// `npm run doctor` know them offline.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export type StripeMode = "test" | "live";

export type SetupState = {
  buckets: string[];
  secrets: string[];
  stripeMode?: StripeMode;
  url?: string;
};

export const statePath = (root: string) => join(root, ".wrangler", "spaces-setup.json");

export function readSetupState(root: string): SetupState {
  const file = statePath(root);
  if (!existsSync(file)) return { buckets: [], secrets: [] };
  const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<SetupState>;
  return {
    buckets: Array.isArray(parsed.buckets) ? parsed.buckets.filter((b) => typeof b === "string") : [],
    secrets: Array.isArray(parsed.secrets) ? parsed.secrets.filter((s) => typeof s === "string") : [],
    ...(parsed.stripeMode === "test" || parsed.stripeMode === "live" ? { stripeMode: parsed.stripeMode } : {}),
    ...(typeof parsed.url === "string" ? { url: parsed.url } : {}),
  };
}

export function stateText(state: SetupState): string {
  const sorted: SetupState = { ...state, buckets: [...new Set(state.buckets)].sort(), secrets: [...new Set(state.secrets)].sort() };
  return JSON.stringify(sorted, null, 2) + "\n";
}

export function writeSetupState(root: string, state: SetupState): void {
  mkdirSync(dirname(statePath(root)), { recursive: true });
  writeFileSync(statePath(root), stateText(state));
}

/** The mode a Stripe secret or restricted key belongs to, from its prefix (sk_test_…, rk_live_…). */
export function stripeKeyMode(key: string): StripeMode | undefined {
  const match = /^(?:sk|rk)_(test|live)_/.exec(key);
  return match ? (match[1] as StripeMode) : undefined;
}
