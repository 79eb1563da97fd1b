// Helpers for the ticket tests: fast buyers, ticketed Spaces, paying on the fake Stripe page, and signed webhook delivery.
import { env, SELF } from "cloudflare:test";
import Stripe from "stripe";
import { signSession } from "../../worker/auth/tokens.ts";
import { stripeClient } from "../../worker/payments/stripe-client.ts";
import { client, host, ORIGIN, type Client } from "./helpers.ts";

export type Buyer = Client & { id: string };

/** Many signed-in users at once: rows straight into D1 and session cookies signed with the test secret. */
export async function buyers(count: number): Promise<Buyer[]> {
  const ids = Array.from({ length: count }, () => crypto.randomUUID());
  const insert = env.DB.prepare(
    "INSERT INTO users (id, handle, display_name, password_hash, password_salt, calendar_token) VALUES (?, ?, 'Buyer', 'x', 'x', ?)",
  );
  for (let i = 0; i < ids.length; i += 100) {
    await env.DB.batch(ids.slice(i, i + 100).map((id) => insert.bind(id, `b_${id.slice(0, 12)}`, `cal-${id}`)));
  }
  const session = env.DB.prepare("INSERT INTO sessions (id, user_id, expires_at) VALUES (?, ?, ?)");
  for (let i = 0; i < ids.length; i += 100) {
    await env.DB.batch(ids.slice(i, i + 100).map((id) => session.bind(`s-${id}`, id, Date.now() + 3_600_000)));
  }
  return Promise.all(
    ids.map(async (id) => {
      const buyer = client();
      buyer.cookie = `spaces_session=${await signSession(env.SESSION_SECRET, id, `s-${id}`)}`;
      return Object.assign(buyer, { id });
    }),
  );
}

export async function ticketedSpace(capacity: number, priceCents = 1500) {
  const h = await host();
  const res = await h.call("POST", "/api/spaces", { title: "Paid talk", ticket: { priceCents, currency: "usd", capacity } });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.json)}`);
  return { host: h, space: res.json.space as { id: string } };
}

export async function seats(spaceId: string) {
  return (await env.DB.prepare("SELECT tickets_sold AS sold, tickets_held AS held, ticket_capacity AS capacity FROM spaces WHERE id = ?")
    .bind(spaceId)
    .first<{ sold: number; held: number; capacity: number }>())!;
}

export async function ticketCount(spaceId: string, status = "paid"): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM tickets WHERE space_id = ? AND status = ?").bind(spaceId, status).first<{ n: number }>();
  return row!.n;
}

export const sessionIdOf = (checkoutUrl: string) => checkoutUrl.split("/").pop()!;

/** Pays on the fake Stripe's hosted page (the "Pay" button) and returns the completed session from the API. */
export async function pay(checkoutUrl: string): Promise<Stripe.Checkout.Session> {
  const res = await fetch(`${checkoutUrl}/pay`, { method: "POST", body: new URLSearchParams({ email: "buyer@example.com" }), redirect: "manual" });
  if (res.status !== 303) throw new Error(`pay failed: ${res.status} ${await res.text()}`);
  return stripeClient(env).checkout.sessions.retrieve(sessionIdOf(checkoutUrl));
}

export async function expire(checkoutUrl: string): Promise<Stripe.Checkout.Session> {
  return stripeClient(env).checkout.sessions.expire(sessionIdOf(checkoutUrl));
}

let eventCounter = 0;
export function eventFor(type: string, object: unknown): string {
  eventCounter += 1;
  return JSON.stringify({
    id: `evt_test_${Date.now().toString(36)}_${eventCounter}`,
    object: "event",
    api_version: "2026-10-28.endive",
    created: Math.floor(Date.now() / 1000),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  });
}

const cryptoProvider = Stripe.createSubtleCryptoProvider();

export async function signed(payload: string, secret = env.STRIPE_WEBHOOK_SECRET): Promise<string> {
  return Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret, cryptoProvider });
}

/** Posts a webhook body to the Worker as Stripe does: no Origin, no cookie, a Stripe-Signature header. */
export async function deliver(payload: string, signature?: string): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  const header = signature ?? (await signed(payload));
  if (header) headers["Stripe-Signature"] = header;
  const res = await SELF.fetch(`${ORIGIN}/api/stripe/webhook`, { method: "POST", headers, body: payload });
  return { status: res.status, json: await res.json() };
}

export function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
