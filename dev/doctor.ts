// `npm run doctor`: is this checkout ready to deploy, and is the deployment whole? Prints each problem with its fix
// and exits 1 when anything is missing (the checks are in dev/deploy/doctor-run.ts).
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { runDoctor } from "./deploy/doctor-run.ts";

const { values: flags } = parseArgs({
  options: {
    root: { type: "string" },
    "stripe-mode": { type: "string" },
    offline: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (flags.help) {
  console.log(`npm run doctor -- [--offline] [--stripe-mode test|live]
Online checks run when credentials are at hand: a wrangler login (or CLOUDFLARE_API_TOKEN) for secrets and remote
migrations; CALLS_APP_SECRET for the Calls app; STRIPE_SECRET_KEY for Stripe's mode and webhook endpoints.`);
  process.exit(0);
}
const stripeMode = flags["stripe-mode"];
if (stripeMode !== undefined && stripeMode !== "test" && stripeMode !== "live") {
  console.error("--stripe-mode is test or live");
  process.exit(2);
}

const root = resolve(flags.root ?? join(import.meta.dirname, ".."));
const { problems, lines } = await runDoctor({ root, env: process.env, offline: flags.offline, ...(stripeMode ? { stripeMode } : {}) });
console.log(["Spaces doctor", ...lines].join("\n"));
process.exit(problems === 0 ? 0 : 1);
