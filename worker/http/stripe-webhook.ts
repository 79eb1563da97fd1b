// POST /stripe/webhook: Stripe's signed events. The raw body is verified before anything is parsed or applied.
import { Hono } from "hono";
import { applyStripeEvent, verifyStripeEvent } from "../payments/webhook.ts";
import type { AppEnv } from "./context.ts";
import { ApiError } from "./errors.ts";

const MAX_EVENT_BYTES = 512 * 1024;

export const stripeWebhookRoutes = new Hono<AppEnv>().post("/stripe/webhook", async (c) => {
  const rawBody = await c.req.text();
  if (rawBody.length > MAX_EVENT_BYTES) {
    throw new ApiError(413, "payload_too_large", "The webhook body is too large.");
  }
  const event = await verifyStripeEvent(c.env, rawBody, c.req.header("Stripe-Signature"));
  const outcome = await applyStripeEvent(c.env, event);
  console.log(JSON.stringify({ event: "stripe_webhook", type: event.type, eventId: event.id, outcome }));
  return c.json({ received: true, outcome });
});
