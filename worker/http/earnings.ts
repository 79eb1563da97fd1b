// Hosts getting paid: POST /stripe/connect (onboarding link), GET /stripe/connect/return, GET /earnings per Space.
import { Hono } from "hono";
import { hostAccount, onboardingLink, refreshConnectStatus } from "../payments/connect.ts";
import { appOrigin, platformFeePercent } from "../settings.ts";
import type { Earnings, SpaceEarnings } from "../protocol/tickets.ts";
import { requireUserId, type AppEnv } from "./context.ts";

type EarningsRow = Omit<SpaceEarnings, "netCents">;

export const earningsRoutes = new Hono<AppEnv>()
  .post("/stripe/connect", async (c) => {
    const userId = requireUserId(c);
    return c.json({ url: await onboardingLink(c.env, userId, appOrigin(c.env, c.req.url)) });
  })
  .get("/stripe/connect/return", async (c) => {
    const userId = requireUserId(c);
    const status = await refreshConnectStatus(c.env, userId);
    return c.redirect(`/earnings?connect=${status.stripeChargesEnabled ? "done" : "incomplete"}`, 303);
  })
  .get("/earnings", async (c) => {
    const userId = requireUserId(c);
    const { results } = await c.env.DB.prepare(
      `SELECT s.id AS spaceId, s.title, s.state, COALESCE(s.ticket_currency, 'usd') AS currency,
         s.ticket_price_cents AS priceCents, s.ticket_capacity AS capacity,
         COALESCE(SUM(t.status = 'paid'), 0) AS ticketsSold,
         COALESCE(SUM(t.status = 'refunded'), 0) AS ticketsRefunded,
         COALESCE(SUM(CASE WHEN t.status = 'paid' THEN t.amount_cents END), 0) AS grossCents,
         COALESCE(SUM(CASE WHEN t.status = 'paid' THEN t.fee_cents END), 0) AS feeCents
       FROM spaces s LEFT JOIN tickets t ON t.space_id = s.id
       WHERE s.host_id = ?1 AND s.ticket_capacity IS NOT NULL
       GROUP BY s.id ORDER BY s.created_at DESC LIMIT 200`,
    )
      .bind(userId)
      .all<EarningsRow>();
    const spaces = results.map((row) => ({ ...row, netCents: row.grossCents - row.feeCents }));
    const account = await hostAccount(c.env.DB, userId);
    const sum = (pick: (s: SpaceEarnings) => number) => spaces.reduce((total, s) => total + pick(s), 0);
    const earnings: Earnings = {
      payouts: { connected: account.stripeAccountId !== null, chargesEnabled: account.stripeChargesEnabled },
      platformFeePercent: platformFeePercent(c.env),
      spaces,
      totals: { ticketsSold: sum((s) => s.ticketsSold), grossCents: sum((s) => s.grossCents), feeCents: sum((s) => s.feeCents), netCents: sum((s) => s.netCents) },
    };
    return c.json(earnings);
  });
