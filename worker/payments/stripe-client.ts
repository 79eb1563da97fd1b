// The Stripe client for the Worker: fetch-based, pointed at STRIPE_API_BASE (real Stripe, or the local fake in dev/tests).
import Stripe from "stripe";
import { platformFeePercent } from "../settings.ts";

const clients = new Map<string, Stripe>();

export function stripeClient(env: Pick<Env, "STRIPE_SECRET_KEY" | "STRIPE_API_BASE">): Stripe {
  const base = env.STRIPE_API_BASE || "https://api.stripe.com";
  const cacheKey = `${base} ${env.STRIPE_SECRET_KEY}`;
  let client = clients.get(cacheKey);
  if (!client) {
    const url = new URL(base);
    const protocol = url.protocol === "http:" ? "http" : "https";
    client = new Stripe(env.STRIPE_SECRET_KEY, {
      httpClient: Stripe.createFetchHttpClient(),
      host: url.hostname,
      port: url.port || (protocol === "http" ? 80 : 443),
      protocol,
      // Retries reuse an idempotency key, so a retried POST can never create a second session or refund.
      maxNetworkRetries: 2,
      timeout: 20_000,
    });
    clients.set(cacheKey, client);
  }
  return client;
}

/** The platform's cut of a ticket price (see settings.ts). */
export function platformFeeCents(env: Pick<Env, "PLATFORM_FEE_PERCENT">, amountCents: number): number {
  return Math.round((amountCents * platformFeePercent(env)) / 100);
}
