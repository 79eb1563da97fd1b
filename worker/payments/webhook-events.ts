// The Stripe events applyStripeEvent acts on, for registering webhook endpoints (setup prints them, doctor checks
// them). Checkout events come from the platform account; account.updated comes from connected (host) accounts, which
// Stripe delivers only to a separate "Connect" endpoint with its own signing secret.
export const PLATFORM_WEBHOOK_EVENTS = [
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "checkout.session.expired",
  "checkout.session.async_payment_failed",
  // A ticket refunded in Stripe frees its seat for the Space's waitlist.
  "charge.refunded",
] as const;

export const CONNECT_WEBHOOK_EVENTS = ["account.updated"] as const;

/** Where the Worker receives Stripe's events (worker/http/stripe-webhook.ts under /api). */
export const STRIPE_WEBHOOK_PATH = "/api/stripe/webhook";
