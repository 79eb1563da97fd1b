// The waitlist of sold-out ticketed Spaces in D1: joining and leaving the line, and handing freed seats to the first
// in line as holds. Every write is one guarded statement or one batch (one transaction), so concurrent seat releases
// can never offer one seat twice or skip someone's turn.
import { sql } from "drizzle-orm";
import type { WaitlistPlace } from "../protocol/tickets.ts";
import { batch, statement, type Db } from "./client.ts";

export type { WaitlistPlace };
export type WaitlistOffer = { holdId: string; userId: string; expiresAt: number };

/** The Space's seats are all sold or held, or people already wait (then newcomers queue behind them). */
const QUEUEING = sql`(s.tickets_sold + s.tickets_held >= s.ticket_capacity OR EXISTS (SELECT 1 FROM waitlist_entries q WHERE q.space_id = s.id))`;

/**
 * Puts the person at the end of the line, in ONE guarded INSERT: tickets on sale, sold out (or a line exists), not the
 * host, no ticket and no live hold of theirs. Returns false when nothing was inserted (refused, or already in line).
 */
export async function joinWaitlist(db: Db, spaceId: string, userId: string, now: number): Promise<boolean> {
  const [inserted] = await batch(db, [
    statement(db, sql`INSERT INTO waitlist_entries (space_id, user_id)
      SELECT s.id, ${userId} FROM spaces s
      WHERE s.id = ${spaceId} AND s.state IN ('draft', 'scheduled') AND s.ticket_capacity IS NOT NULL AND s.host_id != ${userId}
        AND ${QUEUEING}
        AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.space_id = s.id AND t.user_id = ${userId})
        AND NOT EXISTS (SELECT 1 FROM ticket_holds h WHERE h.space_id = s.id AND h.user_id = ${userId} AND h.status = 'open' AND h.expires_at > ${now})
      ON CONFLICT (space_id, user_id) DO NOTHING`),
  ]);
  return inserted!.meta.changes === 1;
}

/**
 * Takes the person out of the line and gives back a seat offered to them that they have not started buying, in one
 * batch. Returns whether either happened; a returned seat still has to be offered on (offerFreeSeats).
 */
export async function leaveWaitlist(db: Db, spaceId: string, userId: string): Promise<{ left: boolean; seatReturned: boolean }> {
  const offer = sql`checkout_session_id IN (SELECT checkout_session_id FROM ticket_holds
    WHERE space_id = ${spaceId} AND user_id = ${userId} AND status = 'open' AND source = 'waitlist' AND checkout_url = '' AND checkout_session_id GLOB 'wl_*')`;
  const [left, , returned] = await batch(db, [
    statement(db, sql`DELETE FROM waitlist_entries WHERE space_id = ${spaceId} AND user_id = ${userId}`),
    statement(db, sql`UPDATE spaces SET tickets_held = tickets_held - (SELECT count(*) FROM ticket_holds WHERE ${offer}) WHERE id = ${spaceId}`),
    statement(db, sql`UPDATE ticket_holds SET status = 'expired' WHERE ${offer}`),
  ]);
  return { left: left!.meta.changes === 1, seatReturned: returned!.meta.changes > 0 };
}

/** The person's place in line (1 = next) and the line's length, or null when they are not in it. */
export async function waitlistPlace(db: Db, spaceId: string, userId: string): Promise<WaitlistPlace | null> {
  const row = await db.get<{ position: number | null; length: number }>(sql`SELECT
      (SELECT count(*) FROM waitlist_entries w WHERE w.space_id = ${spaceId}
        AND w.id <= (SELECT id FROM waitlist_entries WHERE space_id = ${spaceId} AND user_id = ${userId})) AS position,
      (SELECT count(*) FROM waitlist_entries WHERE space_id = ${spaceId}) AS length`);
  return row && row.position ? { position: row.position, length: row.length } : null;
}

/**
 * Hands every free seat of the Space to the first people in line, in one batch: each gets a hold (source 'waitlist',
 * key `wl_<token>_<entry>`) expiring at `expiresAt`, the Space counts the seats as held, and they leave the line. How
 * many seats are free is read inside the same transaction, so concurrent calls never hand out more than there are and
 * never pass over anyone: the first N in line, oldest entry first. Returns the offers this call made.
 */
export async function offerFreeSeats(db: Db, spaceId: string, expiresAt: number): Promise<WaitlistOffer[]> {
  const pattern = `wl_${crypto.randomUUID()}_*`;
  const prefix = pattern.slice(0, -1);
  const results = await batch(db, [
    // People who got a ticket some other way (a checkout begun before they queued) do not hold a place any more.
    statement(db, sql`DELETE FROM waitlist_entries WHERE space_id = ${spaceId}
      AND EXISTS (SELECT 1 FROM tickets t WHERE t.space_id = waitlist_entries.space_id AND t.user_id = waitlist_entries.user_id)`),
    statement(db, sql`INSERT INTO ticket_holds (checkout_session_id, space_id, user_id, checkout_url, status, expires_at, source)
      SELECT ${prefix} || w.id, w.space_id, w.user_id, '', 'open', ${expiresAt}, 'waitlist'
      FROM waitlist_entries w
      WHERE w.space_id = ${spaceId}
        AND NOT EXISTS (SELECT 1 FROM ticket_holds h WHERE h.space_id = w.space_id AND h.user_id = w.user_id AND h.status = 'open')
      ORDER BY w.id
      LIMIT coalesce((SELECT CASE WHEN s.state IN ('draft', 'scheduled') AND s.ticket_capacity IS NOT NULL
          THEN max(0, s.ticket_capacity - s.tickets_sold - s.tickets_held) ELSE 0 END
        FROM spaces s WHERE s.id = ${spaceId}), 0)`),
    statement(db, sql`UPDATE spaces SET tickets_held = tickets_held + (SELECT count(*) FROM ticket_holds WHERE checkout_session_id GLOB ${pattern})
      WHERE id = ${spaceId}`),
    statement(db, sql`DELETE FROM waitlist_entries WHERE space_id = ${spaceId}
      AND user_id IN (SELECT user_id FROM ticket_holds WHERE checkout_session_id GLOB ${pattern})`),
    statement(db, sql`SELECT checkout_session_id AS holdId, user_id AS userId, expires_at AS expiresAt
      FROM ticket_holds WHERE checkout_session_id GLOB ${pattern}`),
  ]);
  return (results[4]!.results as WaitlistOffer[]) ?? [];
}

/**
 * Turns an offer into a hold being bought, once: the `wl_` key becomes the checkout's hold id and the expiry the
 * checkout's. Only one of two concurrent Buy presses changes the row; the other sees a checkout in progress.
 */
export async function claimOffer(db: Db, offerId: string, holdId: string, expiresAt: number, now: number): Promise<boolean> {
  const [claimed] = await batch(db, [
    statement(db, sql`UPDATE ticket_holds SET checkout_session_id = ${holdId}, expires_at = ${expiresAt}
      WHERE checkout_session_id = ${offerId} AND status = 'open' AND source = 'waitlist' AND checkout_url = '' AND expires_at > ${now}`),
  ]);
  return claimed!.meta.changes === 1;
}

/** Puts a claimed offer back as it was when the payment provider failed, so the person keeps their seat and turn. */
export async function unclaimOffer(db: Db, holdId: string, offerId: string, expiresAt: number): Promise<void> {
  await batch(db, [
    statement(db, sql`UPDATE ticket_holds SET checkout_session_id = ${offerId}, expires_at = ${expiresAt}
      WHERE checkout_session_id = ${holdId} AND status = 'open' AND checkout_url = ''`),
  ]);
}

/** The person's seat offer not yet being bought (key `wl_…`), or null. */
export async function openOffer(db: Db, spaceId: string, userId: string, now: number): Promise<{ holdId: string; expiresAt: number } | null> {
  const row = await db.get<{ holdId: string; expiresAt: number }>(sql`SELECT checkout_session_id AS holdId, expires_at AS expiresAt
    FROM ticket_holds WHERE space_id = ${spaceId} AND user_id = ${userId} AND status = 'open' AND source = 'waitlist'
      AND checkout_url = '' AND checkout_session_id GLOB 'wl_*' AND expires_at > ${now}`);
  return row ?? null;
}

/**
 * Releases every open hold past its expiry, in one batch (the seats counted back and the holds closed under the same
 * condition): waitlist offers nobody started buying at once, Checkout holds `checkoutGraceMs` later, since Stripe
 * says so itself with checkout.session.expired and a payment made at the last second may still be on its way.
 */
export async function expireDueHolds(db: Db, now: number, checkoutGraceMs: number): Promise<number> {
  const due = sql`status = 'open' AND expires_at <= ${now} AND (checkout_url = '' OR expires_at <= ${now - checkoutGraceMs})`;
  const [, closed] = await batch(db, [
    statement(db, sql`UPDATE spaces SET tickets_held = tickets_held - (SELECT count(*) FROM ticket_holds h WHERE h.space_id = spaces.id AND ${due})
      WHERE id IN (SELECT space_id FROM ticket_holds WHERE ${due})`),
    statement(db, sql`UPDATE ticket_holds SET status = 'expired' WHERE ${due}`),
  ]);
  return closed!.meta.changes;
}

/**
 * Sets a scheduled ticketed Space's capacity in ONE guarded UPDATE: never below the seats sold and held at that
 * moment. Returns false when refused (read seatState for why).
 */
export async function setTicketCapacity(db: Db, spaceId: string, capacity: number): Promise<boolean> {
  const [changed] = await batch(db, [
    statement(db, sql`UPDATE spaces SET ticket_capacity = ${capacity}
      WHERE id = ${spaceId} AND state = 'scheduled' AND ticket_capacity IS NOT NULL AND tickets_sold + tickets_held <= ${capacity}`),
  ]);
  return changed!.meta.changes === 1;
}

/** Spaces on sale with someone in line and a seat neither sold nor held: the cron offers those seats. */
export async function spacesWithSeatsForWaitlist(db: Db): Promise<string[]> {
  const rows = await db.all<{ id: string }>(sql`SELECT s.id FROM spaces s
    WHERE s.state IN ('draft', 'scheduled') AND s.ticket_capacity IS NOT NULL AND s.tickets_sold + s.tickets_held < s.ticket_capacity
      AND EXISTS (SELECT 1 FROM waitlist_entries w WHERE w.space_id = s.id)`);
  return rows.map((row) => row.id);
}
