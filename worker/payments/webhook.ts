// Stripe webhooks: signature check on the raw body, then each event applied through guarded D1 batches that
// also record the event id, so duplicates and out-of-order deliveries never issue a second ticket or free a sold seat.
import Stripe from "stripe";
import { DomainError } from "../protocol/errors.ts";
import { db } from "../db/client.ts";
import { setChargesEnabledForAccount } from "../db/host-accounts.ts";
import { getSpace } from "../db/spaces.ts";
import { completeHold, findHold, refundTicketOfPayment, rekeyHold, releaseHold, ticketForSession } from "../db/tickets.ts";
import { platformFeeCents, stripeClient } from "./stripe-client.ts";
import { offerSeats } from "./waitlist.ts";

const cryptoProvider = Stripe.createSubtleCryptoProvider();

export async function verifyStripeEvent(env: Env, rawBody: string, signature: string | undefined): Promise<Stripe.Event> {
  if (!signature) throw new DomainError("invalid", "missing_signature", "The Stripe-Signature header is missing.");
  let event: Stripe.Event | undefined;
  // Each Stripe endpoint signs with its own secret, and Connect events (account.updated) come from a second endpoint,
  // so STRIPE_WEBHOOK_SECRET may list several, comma-separated; the body must match one of them.
  for (const secret of env.STRIPE_WEBHOOK_SECRET.split(",").map((value) => value.trim()).filter(Boolean)) {
    try {
      event = await Stripe.webhooks.constructEventAsync(rawBody, signature, secret, undefined, cryptoProvider);
      break;
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeSignatureVerificationError)) {
        throw new DomainError("invalid", "invalid_event", "The webhook body is not a Stripe event.");
      }
    }
  }
  if (!event) throw new DomainError("invalid", "bad_signature", "The Stripe-Signature header does not match this body.");
  if (!event || typeof event.id !== "string" || typeof event.type !== "string" || !event.data || typeof event.data.object !== "object") {
    throw new DomainError("invalid", "invalid_event", "The webhook body is not a Stripe event.");
  }
  return event;
}

export type EventOutcome =
  | "ticket_issued"
  | "already_applied"
  | "seat_released"
  | "refunded_unfulfilled"
  | "ticket_refunded"
  | "account_updated"
  | "ignored";

export async function applyStripeEvent(env: Env, event: Stripe.Event): Promise<EventOutcome> {
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded": {
      const session = event.data.object;
      // A completed session paid by a delayed method is settled by async_payment_succeeded later.
      if (session.payment_status === "unpaid") return "ignored";
      return fulfil(env, event, session);
    }
    case "checkout.session.expired":
    case "checkout.session.async_payment_failed": {
      const hold = await resolveHold(env, event.data.object);
      if (!hold) return "ignored";
      if (!(await releaseHold(db(env), hold, { id: event.id, type: event.type }))) return "already_applied";
      // The freed seat goes to the first in the Space's waitlist, if anyone waits.
      await offerSeats(env, event.data.object.metadata!.spaceId!);
      return "seat_released";
    }
    case "charge.refunded": {
      // A full refund made in Stripe (the Dashboard, support) ends the ticket and frees its seat; a partial one keeps it.
      const charge = event.data.object;
      const paymentIntentId = typeof charge.payment_intent === "string" ? charge.payment_intent : (charge.payment_intent?.id ?? null);
      if (!charge.refunded || !paymentIntentId) return "ignored";
      const spaceId = await refundTicketOfPayment(db(env), paymentIntentId, { id: event.id, type: event.type });
      if (!spaceId) return "already_applied";
      console.log(JSON.stringify({ event: "ticket_refunded_in_stripe", spaceId, eventId: event.id }));
      await offerSeats(env, spaceId);
      return "ticket_refunded";
    }
    case "account.updated": {
      const account = event.data.object;
      await setChargesEnabledForAccount(db(env), account.id, account.charges_enabled);
      return "account_updated";
    }
    default:
      return "ignored";
  }
}

/**
 * Finds our hold for a session: by session id, or by the hold id in its metadata when the session id was never
 * attached. Sessions without our metadata are not ours (null); ours with no hold are a client-visible error.
 */
async function resolveHold(env: Env, session: Stripe.Checkout.Session): Promise<string | null> {
  if (typeof session.id !== "string") throw new DomainError("invalid", "invalid_event", "The event has no Checkout Session id.");
  const spaceId = session.metadata?.spaceId;
  if (!spaceId) return null;
  if (await findHold(db(env), session.id)) return session.id;
  const holdId = session.metadata?.holdId;
  if (holdId && (await findHold(db(env), holdId))) {
    await rekeyHold(db(env), holdId, session.id);
    return session.id;
  }
  const space = await getSpace(db(env), spaceId);
  if (!space) throw new DomainError("not_found", "unknown_space", `The event names Space ${spaceId}, which does not exist.`);
  throw new DomainError("not_found", "unknown_checkout_session", `No ticket hold matches Checkout Session ${session.id}.`);
}

async function fulfil(env: Env, event: Stripe.Event, session: Stripe.Checkout.Session): Promise<EventOutcome> {
  const sessionId = await resolveHold(env, session);
  if (!sessionId) return "ignored";
  const paymentIntentId = typeof session.payment_intent === "string" ? session.payment_intent : (session.payment_intent?.id ?? null);
  const amountCents = session.amount_total ?? 0;
  const issued = await completeHold(
    db(env),
    sessionId,
    { ticketId: crypto.randomUUID(), paymentIntentId, amountCents, feeCents: platformFeeCents(env, amountCents) },
    { id: event.id, type: event.type },
  );
  if (issued) {
    console.log(JSON.stringify({ event: "ticket_issued", sessionId, eventId: event.id, spaceId: session.metadata?.spaceId }));
    return "ticket_issued";
  }
  if (await ticketForSession(db(env), sessionId)) return "already_applied";
  // Paid but no seat could be given (the Space was cancelled, or the hold had expired and the seats are gone):
  // free any seat still held and give the money back. Both steps are idempotent, so Stripe's retries are safe.
  await releaseHold(db(env), sessionId);
  if (paymentIntentId) {
    try {
      await stripeClient(env).refunds.create(
        { payment_intent: paymentIntentId, reason: "requested_by_customer", metadata: { checkoutSessionId: sessionId } },
        { idempotencyKey: `refund-unfulfilled-${sessionId}` },
      );
    } catch (error) {
      if ((error as { code?: string }).code !== "charge_already_refunded") throw error;
    }
  }
  console.log(JSON.stringify({ event: "checkout_refunded_unfulfilled", sessionId, eventId: event.id, refunded: paymentIntentId !== null }));
  return "refunded_unfulfilled";
}
