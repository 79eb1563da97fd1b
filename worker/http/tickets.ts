// Buying tickets: POST /spaces/:id/checkout (hold a seat, get a Checkout URL) and GET /spaces/:id/ticket (my status).
import { Hono } from "hono";
import { getSpace } from "../db/spaces.ts";
import { findOpenHold, findTicket } from "../db/tickets.ts";
import { startCheckout } from "../payments/checkout.ts";
import { hostAccount } from "../db/host-accounts.ts";
import { appOrigin } from "../settings.ts";
import type { TicketStatus } from "../protocol/tickets.ts";
import { requireUserId, type AppEnv } from "./context.ts";
import { db } from "../db/client.ts";
import { notFound } from "./errors.ts";
import { param } from "./validate.ts";

export const ticketRoutes = new Hono<AppEnv>()
  .post("/spaces/:id/checkout", async (c) => {
    const userId = requireUserId(c);
    const space = await getSpace(db(c.env), param(c, "id"));
    if (!space) throw notFound("That Space");
    const result = await startCheckout(c.env, {
      space,
      userId,
      host: await hostAccount(db(c.env), space.hostId),
      origin: appOrigin(c.env, c.req.url),
    });
    return c.json({ url: result.url });
  })
  .get("/spaces/:id/ticket", async (c) => {
    const userId = requireUserId(c);
    const space = await getSpace(db(c.env), param(c, "id"));
    if (!space) throw notFound("That Space");
    const ticketed = space.ticketCapacity !== null;
    const [ticket, hold] = ticketed
      ? await Promise.all([findTicket(db(c.env), space.id, userId), findOpenHold(db(c.env), space.id, userId, Date.now())])
      : [null, null];
    const status: TicketStatus = {
      access: !ticketed ? "free" : space.hostId === userId ? "host" : ticket?.status === "paid" ? "ticket" : "none",
      ticket: ticket
        ? { status: ticket.status, amountCents: ticket.amountCents, purchasedAt: new Date(ticket.createdAt).toISOString() }
        : null,
      checkout: hold?.checkoutUrl ? { url: hold.checkoutUrl, expiresAt: new Date(hold.expiresAt).toISOString() } : null,
    };
    return c.json(status);
  });
