// CLI for the local fake Stripe: `node dev/fake-stripe/main.ts`; env PORT (8791), WEBHOOK_URL, STRIPE_WEBHOOK_SECRET,
// STRIPE_SECRET_KEY. Point the Worker's STRIPE_API_BASE at the printed URL. Stops on SIGINT, SIGTERM or SIGHUP.
import { stopOnSignals } from "../processes.ts";
import { startFakeStripe } from "./server.ts";

const port = Number(process.env.PORT ?? 8791);
const webhookUrl = process.env.WEBHOOK_URL ?? "http://127.0.0.1:8787/api/stripe/webhook";
const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET;
const secretKey = process.env.STRIPE_SECRET_KEY;

if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be a port number, got ${process.env.PORT}`);
  process.exit(1);
}
if (!webhookSecret || !secretKey) {
  console.error("Set STRIPE_WEBHOOK_SECRET and STRIPE_SECRET_KEY to the values the Worker uses (see .dev.vars).");
  process.exit(1);
}

const stripe = await startFakeStripe({ port, webhookUrl, webhookSecret, secretKey, log: true });
console.log(JSON.stringify({ event: "fake_stripe_started", url: stripe.url, webhookUrl }));

stopOnSignals(async (signal) => {
  await stripe.close();
  console.log(JSON.stringify({ event: "fake_stripe_stopped", signal }));
});
