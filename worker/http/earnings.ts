// Hosts getting paid: POST /stripe/connect (onboarding link), GET /stripe/connect/return, GET /earnings per Space.
import { Hono } from "hono";
import { db } from "../db/client.ts";
import { earningsByHost } from "../db/earnings.ts";
import { hostAccount } from "../db/host-accounts.ts";
import { onboardingLink, refreshConnectStatus } from "../payments/connect.ts";
import { appOrigin, platformFeePercent } from "../settings.ts";
import type { Earnings, SpaceEarnings } from "../protocol/tickets.ts";
import { requireUserId, type AppEnv } from "./context.ts";

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
    const rows = await earningsByHost(db(c.env), userId);
    const spaces = rows.map((row) => ({ ...row, netCents: row.grossCents - row.feeCents }));
    const account = await hostAccount(db(c.env), userId);
    const sum = (pick: (s: SpaceEarnings) => number) => spaces.reduce((total, s) => total + pick(s), 0);
    const earnings: Earnings = {
      payouts: { connected: account.stripeAccountId !== null, chargesEnabled: account.stripeChargesEnabled },
      platformFeePercent: platformFeePercent(c.env),
      spaces,
      totals: { ticketsSold: sum((s) => s.ticketsSold), grossCents: sum((s) => s.grossCents), feeCents: sum((s) => s.feeCents), netCents: sum((s) => s.netCents) },
    };
    return c.json(earnings);
  });
