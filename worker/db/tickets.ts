// Ticket seats in D1. Every write that must not race is one guarded statement or one batch (one transaction) whose
// statements are guarded by the rows' own state, so concurrent checkouts and replayed webhooks can never oversell or
// double-issue. The guarded statements are `sql` text (see `statement` in client.ts); reads and single-row updates
// use the query builder.
import { and, desc, eq, gt, sql } from "drizzle-orm";
import { batch, statement, type Db } from "./client.ts";
import { spaces, ticketHolds, tickets, users, type Space, type Ticket } from "./schema.ts";

export type HoldRow = Pick<typeof ticketHolds.$inferSelect, "checkoutSessionId" | "spaceId" | "userId" | "checkoutUrl" | "status" | "expiresAt">;

const HOLD_COLUMNS = {
  checkoutSessionId: ticketHolds.checkoutSessionId,
  spaceId: ticketHolds.spaceId,
  userId: ticketHolds.userId,
  checkoutUrl: ticketHolds.checkoutUrl,
  status: ticketHolds.status,
  expiresAt: ticketHolds.expiresAt,
};

/** A new hold: who, where, until when, and the open-hold limits it must stay within (no address key: not limited by address). */
export type NewHold = {
  holdId: string;
  spaceId: string;
  userId: string;
  expiresAt: number;
  now: number;
  addressKey: string | null;
  limits: { perUser: number; perAddress: number };
};

/**
 * Takes one seat for a new hold. The seat is taken by ONE guarded UPDATE (capacity, sales open, nobody waiting in the
 * Space's line, whose turn a freed seat is; buyer has no ticket and no live hold; the buyer and their address below
 * their open-hold limits); the hold row is inserted in the same batch only if that UPDATE changed a row, so parallel
 * checkouts cannot pass a limit together.
 */
export async function holdSeat(db: Db, hold: NewHold): Promise<boolean> {
  const { holdId, spaceId, userId, expiresAt, now, addressKey, limits } = hold;
  const [taken] = await batch(db, [
    statement(db, sql`UPDATE spaces SET tickets_held = tickets_held + 1
      WHERE id = ${spaceId} AND state IN ('draft', 'scheduled') AND ticket_capacity IS NOT NULL
        AND tickets_sold + tickets_held < ticket_capacity
        AND NOT EXISTS (SELECT 1 FROM waitlist_entries WHERE space_id = ${spaceId})
        AND NOT EXISTS (SELECT 1 FROM tickets WHERE space_id = ${spaceId} AND user_id = ${userId})
        AND NOT EXISTS (SELECT 1 FROM ticket_holds WHERE space_id = ${spaceId} AND user_id = ${userId} AND status = 'open' AND expires_at > ${now})
        AND (SELECT count(*) FROM ticket_holds WHERE user_id = ${userId} AND status = 'open' AND expires_at > ${now}) < ${limits.perUser}
        AND (${addressKey} IS NULL
          OR (SELECT count(*) FROM ticket_holds WHERE address_key = ${addressKey} AND status = 'open' AND expires_at > ${now}) < ${limits.perAddress})`),
    statement(db, sql`INSERT INTO ticket_holds (checkout_session_id, space_id, user_id, checkout_url, status, expires_at, address_key)
      SELECT ${holdId}, ${spaceId}, ${userId}, '', 'open', ${expiresAt}, ${addressKey} WHERE changes() = 1`),
  ]);
  return taken!.meta.changes === 1;
}

/** Open (unexpired) holds of one buyer, and of one address key, to say which limit refused a hold. */
export async function openHoldCounts(db: Db, userId: string, addressKey: string | null, now: number): Promise<{ user: number; address: number }> {
  const [row] = await db.all<{ user: number; address: number }>(sql`SELECT
      (SELECT count(*) FROM ticket_holds WHERE user_id = ${userId} AND status = 'open' AND expires_at > ${now}) AS user,
      (SELECT count(*) FROM ticket_holds WHERE address_key = ${addressKey} AND status = 'open' AND expires_at > ${now}) AS address`);
  return { user: row?.user ?? 0, address: row?.address ?? 0 };
}

/** Why a hold was refused, read after the guarded statement said no: the Space's state and seats taken. */
export async function seatState(db: Db, spaceId: string): Promise<{ state: Space["state"]; taken: number; capacity: number | null } | undefined> {
  return db
    .select({ state: spaces.state, taken: sql<number>`${spaces.ticketsSold} + ${spaces.ticketsHeld}`, capacity: spaces.ticketCapacity })
    .from(spaces)
    .where(eq(spaces.id, spaceId))
    .get();
}

/** Gives the Checkout Session its hold: the placeholder key becomes the session id, with the page URL. */
export async function attachSession(db: Db, holdId: string, sessionId: string, url: string): Promise<boolean> {
  const result = await db
    .update(ticketHolds)
    .set({ checkoutSessionId: sessionId, checkoutUrl: url })
    .where(and(eq(ticketHolds.checkoutSessionId, holdId), eq(ticketHolds.status, "open")));
  return result.meta.changes === 1;
}

/** A session whose id never reached its hold (the attach was lost) is keyed by the hold id until the webhook re-keys it. */
export async function rekeyHold(db: Db, holdId: string, sessionId: string): Promise<void> {
  await db.update(ticketHolds).set({ checkoutSessionId: sessionId }).where(eq(ticketHolds.checkoutSessionId, holdId));
}

type StripeEventRef = { id: string; type: string };

/** The Stripe event's id, recorded in the same batch as its effect (none for our own releases). */
const recordEvent = (db: Db, event: StripeEventRef | null) =>
  event ? [statement(db, sql`INSERT INTO stripe_events (id, type) VALUES (${event.id}, ${event.type}) ON CONFLICT (id) DO NOTHING`)] : [];

/**
 * Releases an open hold's seat (expired session, failed Stripe call). Both statements require the hold to be
 * open, and the second closes it, so a replay or an expiry after completion changes nothing.
 */
export async function releaseHold(db: Db, holdKey: string, event: StripeEventRef | null = null): Promise<boolean> {
  const release = statement(db, sql`UPDATE spaces SET tickets_held = tickets_held - 1
    WHERE id = (SELECT space_id FROM ticket_holds WHERE checkout_session_id = ${holdKey} AND status = 'open')`);
  const close = statement(db, sql`UPDATE ticket_holds SET status = 'expired' WHERE checkout_session_id = ${holdKey} AND status = 'open'`);
  const [released] = await batch(db, [release, close, ...recordEvent(db, event)]);
  return released!.meta.changes === 1;
}

export type Payment = { ticketId: string; paymentIntentId: string | null; amountCents: number; feeCents: number };

/**
 * Turns a paid session's hold into a ticket, in one batch. Between batches "a ticket with this session id exists"
 * holds exactly when "the hold is completed"; the counter and status updates run only when the ticket exists but
 * the hold is not yet completed, i.e. only in the batch that inserted it. A hold that expired first gets a ticket
 * only if a seat is still free; a cancelled Space gets none (the caller refunds).
 */
export async function completeHold(db: Db, sessionId: string, payment: Payment, event: StripeEventRef | null): Promise<boolean> {
  const insert = statement(db, sql`INSERT INTO tickets (id, space_id, user_id, checkout_session_id, payment_intent_id, amount_cents, fee_cents)
    SELECT ${payment.ticketId}, h.space_id, h.user_id, h.checkout_session_id, ${payment.paymentIntentId}, ${payment.amountCents}, ${payment.feeCents}
    FROM ticket_holds h JOIN spaces s ON s.id = h.space_id
    WHERE h.checkout_session_id = ${sessionId} AND s.state != 'cancelled'
      AND (h.status = 'open' OR (h.status = 'expired' AND s.tickets_sold + s.tickets_held < s.ticket_capacity))
      AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.space_id = h.space_id AND t.user_id = h.user_id)`);
  const count = statement(db, sql`UPDATE spaces SET tickets_sold = tickets_sold + 1,
      tickets_held = tickets_held - (SELECT count(*) FROM ticket_holds WHERE checkout_session_id = ${sessionId} AND status = 'open')
    WHERE id = (SELECT space_id FROM ticket_holds WHERE checkout_session_id = ${sessionId} AND status IN ('open', 'expired'))
      AND EXISTS (SELECT 1 FROM tickets WHERE checkout_session_id = ${sessionId})`);
  const complete = statement(db, sql`UPDATE ticket_holds SET status = 'completed'
    WHERE checkout_session_id = ${sessionId} AND status IN ('open', 'expired')
      AND EXISTS (SELECT 1 FROM tickets WHERE checkout_session_id = ${sessionId})`);
  const [inserted] = await batch(db, [insert, count, complete, ...recordEvent(db, event)]);
  return inserted!.meta.changes === 1;
}

export async function findHold(db: Db, key: string): Promise<HoldRow | null> {
  return (await db.select(HOLD_COLUMNS).from(ticketHolds).where(eq(ticketHolds.checkoutSessionId, key)).get()) ?? null;
}

/** The buyer's live hold (open, not past its expiry), newest first. */
export async function findOpenHold(db: Db, spaceId: string, userId: string, now: number): Promise<HoldRow | null> {
  const row = await db
    .select(HOLD_COLUMNS)
    .from(ticketHolds)
    .where(and(eq(ticketHolds.spaceId, spaceId), eq(ticketHolds.userId, userId), eq(ticketHolds.status, "open"), gt(ticketHolds.expiresAt, now)))
    .orderBy(desc(ticketHolds.createdAt))
    .limit(1)
    .get();
  return row ?? null;
}

export async function findTicket(db: Db, spaceId: string, userId: string): Promise<Ticket | null> {
  return (await db.query.tickets.findFirst({ where: and(eq(tickets.spaceId, spaceId), eq(tickets.userId, userId)) })) ?? null;
}

export async function hasPaidTicket(db: Db, spaceId: string, userId: string): Promise<boolean> {
  const row = await db.query.tickets.findFirst({
    columns: { id: true },
    where: and(eq(tickets.spaceId, spaceId), eq(tickets.userId, userId), eq(tickets.status, "paid")),
  });
  return row !== undefined;
}

export async function ticketForSession(db: Db, sessionId: string): Promise<Ticket | null> {
  return (await db.query.tickets.findFirst({ where: eq(tickets.checkoutSessionId, sessionId) })) ?? null;
}

export async function ticketsWithStatus(db: Db, spaceId: string, status: Ticket["status"]): Promise<Ticket[]> {
  return db.query.tickets.findMany({ where: and(eq(tickets.spaceId, spaceId), eq(tickets.status, status)) });
}

/** Marks a ticket refunded; true only for the call that changed it. */
export async function markRefunded(db: Db, ticketId: string, refundId: string | null): Promise<boolean> {
  const result = await db
    .update(tickets)
    .set({ status: "refunded", refundId })
    .where(and(eq(tickets.id, ticketId), eq(tickets.status, "paid")));
  return result.meta.changes === 1;
}

/**
 * A paid ticket refunded in full outside a cancellation (Stripe's charge.refunded): the ticket becomes refunded and its
 * seat free again, in one batch with the event id. Returns the Space whose seat this call freed, or null (no such paid
 * ticket, or already applied). A cancelled Space keeps its count, as the cancellation's own refunds do.
 */
export async function refundTicketOfPayment(db: Db, paymentIntentId: string, event: StripeEventRef): Promise<string | null> {
  const [, refunded] = await batch(db, [
    statement(db, sql`UPDATE spaces SET tickets_sold = tickets_sold - 1
      WHERE id = (SELECT space_id FROM tickets WHERE payment_intent_id = ${paymentIntentId} AND status = 'paid') AND state != 'cancelled'`),
    statement(db, sql`UPDATE tickets SET status = 'refunded' WHERE payment_intent_id = ${paymentIntentId} AND status = 'paid' RETURNING space_id AS spaceId`),
    ...recordEvent(db, event),
  ]);
  return (refunded!.results[0] as { spaceId: string } | undefined)?.spaceId ?? null;
}

/** What a refund of a Space's tickets needs to know: its title and currency, and whether the host takes charges. */
export async function refundContext(db: Db, spaceId: string): Promise<{ title: string; currency: string | null; hostConnected: boolean } | undefined> {
  const row = await db
    .select({ title: spaces.title, currency: spaces.ticketCurrency, account: users.stripeAccountId, enabled: users.stripeChargesEnabled })
    .from(spaces)
    .innerJoin(users, eq(users.id, spaces.hostId))
    .where(eq(spaces.id, spaceId))
    .get();
  return row && { title: row.title, currency: row.currency, hostConnected: Boolean(row.account && row.enabled) };
}
