// JSON shapes of the ticket and earnings API, shared by the Worker and the web app.

/** GET /api/spaces/:id/ticket */
export type TicketStatus = {
  /** host: enters free; ticket: holds a paid ticket; none: must buy; free: the Space has no tickets. */
  access: "host" | "ticket" | "none" | "free";
  ticket: { status: "paid" | "refunded"; amountCents: number; purchasedAt: string } | null;
  /** An open checkout of mine: go back to it instead of starting another. */
  checkout: { url: string; expiresAt: string } | null;
  /** My place in the Space's waitlist (1 = next) and the line's length, or null when I am not waiting. */
  waitlist: WaitlistPlace | null;
  /** A seat the waitlist holds for me until `expiresAt` (ISO 8601): buy it (POST /checkout) before then. */
  offer: { expiresAt: string } | null;
};

/** `POST /api/spaces/:id/waitlist` → `{ waitlist }` (201 when it joined, 200 when already in line); DELETE → `{ waitlist: null }`. */
export type WaitlistPlace = { position: number; length: number };
export type WaitlistResponse = { waitlist: WaitlistPlace | null };

/** One ticketed Space on GET /api/earnings. Net is what the host keeps: gross minus the platform fee. */
export type SpaceEarnings = {
  spaceId: string;
  title: string;
  state: string;
  currency: string;
  priceCents: number;
  capacity: number;
  ticketsSold: number;
  ticketsRefunded: number;
  grossCents: number;
  feeCents: number;
  netCents: number;
};

/** GET /api/earnings */
export type Earnings = {
  payouts: { connected: boolean; chargesEnabled: boolean };
  platformFeePercent: number;
  spaces: SpaceEarnings[];
  totals: { ticketsSold: number; grossCents: number; feeCents: number; netCents: number };
};
