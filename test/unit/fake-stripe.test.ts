// The local fake Stripe, driven by the real stripe npm client: shapes, errors, idempotency, pages and signed webhooks.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeStripe, type RunningFakeStripe } from "../../dev/fake-stripe/server.ts";

const secretKey = "sk_test_unit";
const webhookSecret = "whsec_unit";
let fake: RunningFakeStripe;
let stripe: Stripe;
let receiver: Server;
const received: { body: string; signature: string }[] = [];

function client(key = secretKey): Stripe {
  const { hostname, port } = new URL(fake.url);
  return new Stripe(key, { host: hostname, port, protocol: "http", maxNetworkRetries: 0 });
}

function sessionParams(overrides: Partial<Stripe.Checkout.SessionCreateParams> = {}): Stripe.Checkout.SessionCreateParams {
  return {
    mode: "payment",
    line_items: [{ quantity: 1, price_data: { currency: "usd", unit_amount: 1500, product_data: { name: "Ticket: Night talk" } } }],
    metadata: { spaceId: "space-1", userId: "user-1" },
    success_url: "http://app.local/spaces/space-1?checkout=success&session={CHECKOUT_SESSION_ID}",
    cancel_url: "http://app.local/spaces/space-1",
    expires_at: Math.floor(Date.now() / 1000) + 31 * 60,
    ...overrides,
  };
}

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      received.push({ body, signature: String(request.headers["stripe-signature"]) });
      response.end("{}");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  fake = await startFakeStripe({ secretKey, webhookSecret, webhookUrl });
  stripe = client();
});

afterAll(async () => {
  await fake.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

describe("fake Stripe", () => {
  it("creates and retrieves a Checkout Session in Stripe's shape", async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    expect(created).toMatchObject({
      object: "checkout.session",
      status: "open",
      payment_status: "unpaid",
      amount_total: 1500,
      currency: "usd",
      metadata: { spaceId: "space-1", userId: "user-1" },
    });
    expect(created.id).toMatch(/^cs_test_/);
    expect(created.url).toBe(`${fake.url}/checkout/${created.id}`);
    const again = await stripe.checkout.sessions.retrieve(created.id);
    expect(again.id).toBe(created.id);
  });

  it("answers with Stripe's error types", async () => {
    await expect(client("sk_test_wrong").checkout.sessions.retrieve("cs_test_x")).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    const missing = await stripe.checkout.sessions.retrieve("cs_test_nope").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing).toMatchObject({ code: "resource_missing", statusCode: 404 });
    const tooSoon = await stripe.checkout.sessions.create(sessionParams({ expires_at: Math.floor(Date.now() / 1000) + 60 })).catch((e: unknown) => e);
    expect(tooSoon).toMatchObject({ type: "StripeInvalidRequestError", param: "expires_at" });
  });

  it("expires an open session once and records checkout.session.expired", async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    const expired = await stripe.checkout.sessions.expire(created.id);
    expect(expired.status).toBe("expired");
    expect(fake.events.at(-1)).toMatchObject({ type: "checkout.session.expired", data: { object: { id: created.id } } });
    await expect(stripe.checkout.sessions.expire(created.id)).rejects.toMatchObject({ code: "checkout_session_not_open" });
  });

  it("pays on the hosted page, posts a verifiable signed webhook and redirects to success_url", async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    const page = await fetch(created.url!);
    expect(await page.text()).toContain("Pay $15.00");
    const paid = await fetch(`${created.url}/pay`, { method: "POST", body: new URLSearchParams({ email: "a@b.c" }), redirect: "manual" });
    expect(paid.status).toBe(303);
    expect(paid.headers.get("location")).toBe(`http://app.local/spaces/space-1?checkout=success&session=${created.id}`);
    // `pay` resolves after the first delivery attempt, so the webhook is already here.
    const delivery = received.find((d) => d.body.includes(created.id) && d.body.includes('"checkout.session.completed"'))!;
    expect(delivery).toBeDefined();
    const event = await Stripe.webhooks.constructEventAsync(delivery.body, delivery.signature, webhookSecret);
    expect(event.type).toBe("checkout.session.completed");
    const session = event.data.object as Stripe.Checkout.Session;
    expect(session).toMatchObject({ id: created.id, status: "complete", payment_status: "paid" });
    expect(session.payment_intent).toMatch(/^pi_/);
    await expect(Stripe.webhooks.constructEventAsync(delivery.body, delivery.signature, "whsec_other")).rejects.toThrow();
  });

  it("refunds once per idempotency key and refuses a second refund", async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    const session = await fake.pay(created.id);
    const intent = session.payment_intent as string;
    const first = await stripe.refunds.create({ payment_intent: intent }, { idempotencyKey: "refund-ticket-1" });
    const replay = await stripe.refunds.create({ payment_intent: intent }, { idempotencyKey: "refund-ticket-1" });
    expect(replay.id).toBe(first.id);
    expect(first).toMatchObject({ object: "refund", amount: 1500, status: "succeeded", payment_intent: intent });
    await expect(stripe.refunds.create({ payment_intent: intent }, { idempotencyKey: "refund-ticket-2" })).rejects.toMatchObject({
      code: "charge_already_refunded",
    });
    expect(fake.state.refunds.size).toBe(1);
  });

  it("creates a Connect account, an onboarding link, and enables charges when onboarding completes", async () => {
    const account = await stripe.accounts.create({ type: "express", email: "host@example.com" });
    expect(account).toMatchObject({ object: "account", charges_enabled: false });
    const link = await stripe.accountLinks.create({
      account: account.id,
      type: "account_onboarding",
      return_url: "http://app.local/earnings?connect=return",
      refresh_url: "http://app.local/earnings?connect=refresh",
    });
    expect(link.object).toBe("account_link");
    const done = await fetch(`${link.url}/complete`, { method: "POST", redirect: "manual" });
    expect(done.headers.get("location")).toBe("http://app.local/earnings?connect=return");
    expect((await stripe.accounts.retrieve(account.id)).charges_enabled).toBe(true);
    const withFee = await stripe.checkout.sessions.create(
      sessionParams({ payment_intent_data: { application_fee_amount: 150, transfer_data: { destination: account.id } } }),
    );
    expect(withFee.status).toBe("open");
  });
});
