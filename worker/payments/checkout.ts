// Buying a ticket: hold a seat atomically (or take up the seat the waitlist offered), open a Stripe Checkout Session
// for it (destination charge to the host's connected account when there is one), and give the seat back if Stripe fails.
import type Stripe from "stripe";
import { DomainError } from "../protocol/errors.ts";
import type { Space } from "../db/schema.ts";
import { db, type Db } from "../db/client.ts";
import { attachSession, findOpenHold, findTicket, holdSeat, openHoldCounts, releaseHold, seatState } from "../db/tickets.ts";
import { claimOffer, openOffer, unclaimOffer } from "../db/waitlist.ts";
import { platformFeeCents, stripeClient } from "./stripe-client.ts";

export const CHECKOUT_TTL_MS = 30 * 60 * 1000;
// Stripe requires expires_at ≥ 30 minutes after it creates the session; a little slack absorbs clock skew.
const EXPIRY_SLACK_MS = 60 * 1000;

type Host = { stripeAccountId: string | null; stripeChargesEnabled: boolean };

export type CheckoutInput = {
  space: Space;
  host: Host;
  userId: string;
  origin: string;
  /** The buyer's address as a keyed hash (auth/address-key.ts); null where per-address limits are lifted (load tests). */
  addressKey: string | null;
  /** Open holds allowed at once per buyer and per address (settings: TICKET_MAX_HOLDS_PER_*). */
  holdLimits: { perUser: number; perAddress: number };
  now?: number;
};

function salesClosed(space: Space): DomainError {
  return new DomainError("conflict", "sales_closed", space.state === "live" ? "Ticket sales closed when this Space started." : "Tickets for this Space are no longer on sale.");
}

/** Why a seat could not be held, read after the guarded statement said no. */
async function refusal(d1: Db, input: CheckoutInput, now: number): Promise<DomainError> {
  const space = await seatState(d1, input.space.id);
  if (!space) return new DomainError("not_found", "not_found", "That Space was not found.");
  if (space.state !== "draft" && space.state !== "scheduled") return salesClosed({ ...input.space, state: space.state });
  if (await findTicket(d1, input.space.id, input.userId)) return new DomainError("conflict", "already_has_ticket", "You already have a ticket for this Space.");
  if (await findOpenHold(d1, input.space.id, input.userId, now)) {
    return new DomainError("conflict", "checkout_in_progress", "Your checkout for this Space is being prepared; try again in a moment.");
  }
  if (space.capacity === null || space.taken < space.capacity) {
    const open = await openHoldCounts(d1, input.userId, input.addressKey, now);
    const { perUser, perAddress } = input.holdLimits;
    if (open.user >= perUser) {
      return new DomainError("rate_limited", "too_many_holds", `You already have ${perUser} unpaid checkout(s) open. Finish or let one lapse (30 minutes) first.`);
    }
    if (input.addressKey !== null && open.address >= perAddress) {
      return new DomainError("rate_limited", "too_many_holds", `${perAddress} unpaid checkout(s) are already open from your network. Finish one, or try again within 30 minutes.`);
    }
  }
  // Seats may be free while people wait: those go to the line first (db/tickets.ts holdSeat), so this is sold out too.
  const message =
    space.capacity !== null && space.taken < space.capacity
      ? "The seats that freed up go to people on the waitlist first. Join the waitlist to get one in turn."
      : `All ${space.capacity} tickets for this Space are taken. Join the waitlist to get a seat if one frees up.`;
  return new DomainError("conflict", "sold_out", message, { waitlist: true });
}

export async function startCheckout(env: Env, input: CheckoutInput): Promise<{ url: string }> {
  const { space, userId } = input;
  const now = input.now ?? Date.now();
  if (space.ticketCapacity === null || space.ticketPriceCents === null) {
    throw new DomainError("invalid", "not_ticketed", "This Space is free to join; it has no tickets.");
  }
  if (space.hostId === userId) throw new DomainError("invalid", "own_space", "You host this Space, so you need no ticket.");
  if (space.state !== "draft" && space.state !== "scheduled") throw salesClosed(space);
  const d1 = db(env);
  if (await findTicket(d1, space.id, userId)) throw new DomainError("conflict", "already_has_ticket", "You already have a ticket for this Space.");
  const open = await findOpenHold(d1, space.id, userId, now);
  if (open && open.checkoutUrl) return { url: open.checkoutUrl };

  const holdId = `hold_${crypto.randomUUID()}`;
  const expiresAt = now + CHECKOUT_TTL_MS + EXPIRY_SLACK_MS;
  // A seat the waitlist offered becomes this checkout's hold, with Stripe's checkout window from now on.
  const offer = await openOffer(d1, space.id, userId, now);
  const held = offer
    ? await claimOffer(d1, offer.holdId, holdId, expiresAt, now)
    : await holdSeat(d1, { holdId, spaceId: space.id, userId, expiresAt, now, addressKey: input.addressKey, limits: input.holdLimits });
  if (!held) throw await refusal(d1, input, now);

  let session: Stripe.Checkout.Session;
  try {
    session = await stripeClient(env).checkout.sessions.create(checkoutParams(env, input, holdId, expiresAt), { idempotencyKey: `checkout-${holdId}` });
  } catch (error) {
    if (offer) await unclaimOffer(d1, holdId, offer.holdId, offer.expiresAt);
    else await releaseHold(d1, holdId);
    console.log(JSON.stringify({ event: "checkout_stripe_failed", spaceId: space.id, userId, error: errorSummary(error) }));
    const seat = offer ? "your seat is still held for you" : "no seat was taken";
    throw new DomainError("upstream", "payment_provider_error", `The payment provider did not respond; ${seat}. Please try again.`);
  }
  if (!session.url || !(await attachSession(d1, holdId, session.id, session.url))) {
    await stripeClient(env).checkout.sessions.expire(session.id).catch(() => undefined);
    throw new DomainError("upstream", "payment_provider_error", "The checkout could not be prepared. Please try again.");
  }
  console.log(JSON.stringify({ event: "checkout_started", spaceId: space.id, userId, sessionId: session.id }));
  return { url: session.url };
}

function checkoutParams(env: Env, input: CheckoutInput, holdId: string, expiresAt: number): Stripe.Checkout.SessionCreateParams {
  const { space, userId, host, origin } = input;
  const price = space.ticketPriceCents!;
  const metadata = { spaceId: space.id, userId, holdId };
  const destination = host.stripeAccountId && host.stripeChargesEnabled ? host.stripeAccountId : null;
  return {
    mode: "payment",
    line_items: [
      {
        quantity: 1,
        price_data: { currency: space.ticketCurrency ?? "usd", unit_amount: price, product_data: { name: `Ticket: ${space.title}` } },
      },
    ],
    metadata,
    client_reference_id: userId,
    expires_at: Math.floor(expiresAt / 1000),
    success_url: `${origin}/spaces/${space.id}?checkout=success`,
    cancel_url: `${origin}/spaces/${space.id}?checkout=cancelled`,
    payment_intent_data: {
      metadata,
      ...(destination ? { application_fee_amount: platformFeeCents(env, price), transfer_data: { destination } } : {}),
    },
  };
}

/** A loggable line for a Stripe or network error, without request details. */
export function errorSummary(error: unknown): string {
  if (error && typeof error === "object" && "type" in error && "message" in error) {
    const e = error as { type: string; code?: string; message: string };
    return `${e.type}${e.code ? `/${e.code}` : ""}: ${e.message}`;
  }
  return String(error);
}
