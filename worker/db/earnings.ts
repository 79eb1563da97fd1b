// A host's ticket sales per Space: sold, refunded, gross and platform fees, summed in one query.
import { sql } from "drizzle-orm";
import type { SpaceEarnings } from "../protocol/tickets.ts";
import type { Db } from "./client.ts";

export type EarningsRow = Omit<SpaceEarnings, "netCents">;

/** The host's ticketed Spaces, newest first (at most 200), with their sales. */
export async function earningsByHost(db: Db, hostId: string): Promise<EarningsRow[]> {
  return db.all<EarningsRow>(sql`
    SELECT s.id AS spaceId, s.title, s.state, COALESCE(s.ticket_currency, 'usd') AS currency,
      s.ticket_price_cents AS priceCents, s.ticket_capacity AS capacity,
      COALESCE(SUM(t.status = 'paid'), 0) AS ticketsSold,
      COALESCE(SUM(t.status = 'refunded'), 0) AS ticketsRefunded,
      COALESCE(SUM(CASE WHEN t.status = 'paid' THEN t.amount_cents END), 0) AS grossCents,
      COALESCE(SUM(CASE WHEN t.status = 'paid' THEN t.fee_cents END), 0) AS feeCents
    FROM spaces s LEFT JOIN tickets t ON t.space_id = s.id
    WHERE s.host_id = ${hostId} AND s.ticket_capacity IS NOT NULL
    GROUP BY s.id ORDER BY s.created_at DESC LIMIT 200`);
}
