// Ticket seats in D1. Every write that must not race is one guarded statement or one batch whose statements
// are guarded by the rows' own state, so concurrent checkouts and replayed webhooks can never oversell or double-issue.
import type { Ticket } from "./schema.ts";

const SELLABLE_STATES = "('draft', 'scheduled')";

export type HoldRow = { checkoutSessionId: string; spaceId: string; userId: string; checkoutUrl: string; status: string; expiresAt: number };

const HOLD_COLUMNS =
  "checkout_session_id AS checkoutSessionId, space_id AS spaceId, user_id AS userId, checkout_url AS checkoutUrl, status, expires_at AS expiresAt";

/**
 * Takes one seat for a new hold. The seat is taken by ONE guarded UPDATE (capacity, sales open, buyer has no
 * ticket and no live hold); the hold row is inserted in the same batch only if that UPDATE changed a row.
 */
export async function holdSeat(d1: D1Database, hold: { holdId: string; spaceId: string; userId: string; expiresAt: number; now: number }): Promise<boolean> {
  const [taken] = await d1.batch([
    d1
      .prepare(
        `UPDATE spaces SET tickets_held = tickets_held + 1
         WHERE id = ?1 AND state IN ${SELLABLE_STATES} AND ticket_capacity IS NOT NULL
           AND tickets_sold + tickets_held < ticket_capacity
           AND NOT EXISTS (SELECT 1 FROM tickets WHERE space_id = ?1 AND user_id = ?2)
           AND NOT EXISTS (SELECT 1 FROM ticket_holds WHERE space_id = ?1 AND user_id = ?2 AND status = 'open' AND expires_at > ?3)`,
      )
      .bind(hold.spaceId, hold.userId, hold.now),
    d1
      .prepare(
        `INSERT INTO ticket_holds (checkout_session_id, space_id, user_id, checkout_url, status, expires_at)
         SELECT ?1, ?2, ?3, '', 'open', ?4 WHERE changes() = 1`,
      )
      .bind(hold.holdId, hold.spaceId, hold.userId, hold.expiresAt),
  ]);
  return taken!.meta.changes === 1;
}

/** Gives the Checkout Session its hold: the placeholder key becomes the session id, with the page URL. */
export async function attachSession(d1: D1Database, holdId: string, sessionId: string, url: string): Promise<boolean> {
  const result = await d1
    .prepare("UPDATE ticket_holds SET checkout_session_id = ?2, checkout_url = ?3 WHERE checkout_session_id = ?1 AND status = 'open'")
    .bind(holdId, sessionId, url)
    .run();
  return result.meta.changes === 1;
}

function eventStatement(d1: D1Database, event: { id: string; type: string } | null): D1PreparedStatement[] {
  if (!event) return [];
  return [d1.prepare("INSERT INTO stripe_events (id, type) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING").bind(event.id, event.type)];
}

/**
 * Releases an open hold's seat (expired session, failed Stripe call). Both statements require the hold to be
 * open, and the second closes it, so a replay or an expiry after completion changes nothing.
 */
export async function releaseHold(d1: D1Database, holdKey: string, event: { id: string; type: string } | null = null): Promise<boolean> {
  const [released] = await d1.batch([
    d1
      .prepare(
        `UPDATE spaces SET tickets_held = tickets_held - 1
         WHERE id = (SELECT space_id FROM ticket_holds WHERE checkout_session_id = ?1 AND status = 'open')`,
      )
      .bind(holdKey),
    d1.prepare("UPDATE ticket_holds SET status = 'expired' WHERE checkout_session_id = ?1 AND status = 'open'").bind(holdKey),
    ...eventStatement(d1, event),
  ]);
  return released!.meta.changes === 1;
}

export type Payment = { ticketId: string; paymentIntentId: string | null; amountCents: number; feeCents: number };

/**
 * Turns a paid session's hold into a ticket, in one batch. Between batches "a ticket with this session id exists"
 * holds exactly when "the hold is completed"; the counter and status updates run only when the ticket exists but
 * the hold is not yet completed, i.e. only in the batch that inserted it. A hold that expired first gets a ticket
 * only if a seat is still free; a cancelled Space gets none (the caller refunds).
 */
export async function completeHold(d1: D1Database, sessionId: string, payment: Payment, event: { id: string; type: string } | null): Promise<boolean> {
  const [inserted] = await d1.batch([
    d1
      .prepare(
        `INSERT INTO tickets (id, space_id, user_id, checkout_session_id, payment_intent_id, amount_cents, fee_cents)
         SELECT ?1, h.space_id, h.user_id, h.checkout_session_id, ?2, ?3, ?4
         FROM ticket_holds h JOIN spaces s ON s.id = h.space_id
         WHERE h.checkout_session_id = ?5 AND s.state != 'cancelled'
           AND (h.status = 'open' OR (h.status = 'expired' AND s.tickets_sold + s.tickets_held < s.ticket_capacity))
           AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.space_id = h.space_id AND t.user_id = h.user_id)`,
      )
      .bind(payment.ticketId, payment.paymentIntentId, payment.amountCents, payment.feeCents, sessionId),
    d1
      .prepare(
        `UPDATE spaces SET tickets_sold = tickets_sold + 1,
           tickets_held = tickets_held - (SELECT count(*) FROM ticket_holds WHERE checkout_session_id = ?1 AND status = 'open')
         WHERE id = (SELECT space_id FROM ticket_holds WHERE checkout_session_id = ?1 AND status IN ('open', 'expired'))
           AND EXISTS (SELECT 1 FROM tickets WHERE checkout_session_id = ?1)`,
      )
      .bind(sessionId),
    d1
      .prepare(
        `UPDATE ticket_holds SET status = 'completed'
         WHERE checkout_session_id = ?1 AND status IN ('open', 'expired') AND EXISTS (SELECT 1 FROM tickets WHERE checkout_session_id = ?1)`,
      )
      .bind(sessionId),
    ...eventStatement(d1, event),
  ]);
  return inserted!.meta.changes === 1;
}

export async function findHold(d1: D1Database, key: string): Promise<HoldRow | null> {
  return d1.prepare(`SELECT ${HOLD_COLUMNS} FROM ticket_holds WHERE checkout_session_id = ?1`).bind(key).first<HoldRow>();
}

/** The buyer's live hold (open, not past its expiry), newest first. */
export async function findOpenHold(d1: D1Database, spaceId: string, userId: string, now: number): Promise<HoldRow | null> {
  return d1
    .prepare(
      `SELECT ${HOLD_COLUMNS} FROM ticket_holds
       WHERE space_id = ?1 AND user_id = ?2 AND status = 'open' AND expires_at > ?3 ORDER BY created_at DESC LIMIT 1`,
    )
    .bind(spaceId, userId, now)
    .first<HoldRow>();
}

export type TicketRow = Pick<Ticket, "id" | "spaceId" | "userId" | "checkoutSessionId" | "paymentIntentId" | "amountCents" | "feeCents" | "status" | "refundId" | "createdAt">;

const TICKET_COLUMNS =
  "id, space_id AS spaceId, user_id AS userId, checkout_session_id AS checkoutSessionId, payment_intent_id AS paymentIntentId, amount_cents AS amountCents, fee_cents AS feeCents, status, refund_id AS refundId, created_at AS createdAt";

export async function findTicket(d1: D1Database, spaceId: string, userId: string): Promise<TicketRow | null> {
  return d1.prepare(`SELECT ${TICKET_COLUMNS} FROM tickets WHERE space_id = ?1 AND user_id = ?2`).bind(spaceId, userId).first<TicketRow>();
}

export async function hasPaidTicket(d1: D1Database, spaceId: string, userId: string): Promise<boolean> {
  const row = await d1.prepare("SELECT 1 AS ok FROM tickets WHERE space_id = ?1 AND user_id = ?2 AND status = 'paid'").bind(spaceId, userId).first();
  return row !== null;
}

export async function ticketForSession(d1: D1Database, sessionId: string): Promise<TicketRow | null> {
  return d1.prepare(`SELECT ${TICKET_COLUMNS} FROM tickets WHERE checkout_session_id = ?1`).bind(sessionId).first<TicketRow>();
}

export async function paidTickets(d1: D1Database, spaceId: string): Promise<TicketRow[]> {
  const { results } = await d1.prepare(`SELECT ${TICKET_COLUMNS} FROM tickets WHERE space_id = ?1 AND status = 'paid'`).bind(spaceId).all<TicketRow>();
  return results;
}

/** Marks a ticket refunded; true only for the call that changed it. */
export async function markRefunded(d1: D1Database, ticketId: string, refundId: string | null): Promise<boolean> {
  const result = await d1
    .prepare("UPDATE tickets SET status = 'refunded', refund_id = ?2 WHERE id = ?1 AND status = 'paid'")
    .bind(ticketId, refundId)
    .run();
  return result.meta.changes === 1;
}
