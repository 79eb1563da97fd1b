// Buying tickets: POST /spaces/:id/checkout (hold a seat, get a Checkout URL), GET /spaces/:id/ticket (my status),
// and the waitlist of a sold-out Space: POST / DELETE /spaces/:id/waitlist.
import { Hono } from "hono";
import { getSpace } from "../db/spaces.ts";
import { findOpenHold, findTicket } from "../db/tickets.ts";
import { startCheckout } from "../payments/checkout.ts";
import { joinLine, leaveLine } from "../payments/waitlist.ts";
import { openOffer, waitlistPlace } from "../db/waitlist.ts";
import { hostAccount } from "../db/host-accounts.ts";
import { appOrigin, perAddressLimitsLifted, ticketHoldLimits } from "../settings.ts";
import { addressKey } from "../auth/address-key.ts";
import type { TicketStatus, WaitlistResponse } from "../protocol/tickets.ts";
import { clientAddress, requireUserId, type AppEnv } from "./context.ts";
import { db } from "../db/client.ts";
import { notFound } from "./errors.ts";
import { param } from "./validate.ts";

export const ticketRoutes = new Hono<AppEnv>()
  .post("/spaces/:id/checkout", async (c) => {
    const userId = requireUserId(c);
    const space = await getSpace(db(c.env), param(c, "id"));
    if (!space) throw notFound("That Space");
    // A local load test (SPACES_LOAD_TEST on loopback) buys from one address for everyone.
    const lifted = perAddressLimitsLifted(c.env, c.req.raw);
    const result = await startCheckout(c.env, {
      space,
      userId,
      host: await hostAccount(db(c.env), space.hostId),
      origin: appOrigin(c.env, c.req.url),
      addressKey: lifted ? null : await addressKey(c.env.SESSION_SECRET, clientAddress(c)),
      holdLimits: ticketHoldLimits(c.env),
    });
    return c.json({ url: result.url });
  })
  .get("/spaces/:id/ticket", async (c) => {
    const userId = requireUserId(c);
    const space = await getSpace(db(c.env), param(c, "id"));
    if (!space) throw notFound("That Space");
    const ticketed = space.ticketCapacity !== null;
    const now = Date.now();
    const [ticket, hold, place, offer] = ticketed
      ? await Promise.all([
          findTicket(db(c.env), space.id, userId),
          findOpenHold(db(c.env), space.id, userId, now),
          waitlistPlace(db(c.env), space.id, userId),
          openOffer(db(c.env), space.id, userId, now),
        ])
      : [null, null, null, null];
    const status: TicketStatus = {
      access: !ticketed ? "free" : space.hostId === userId ? "host" : ticket?.status === "paid" ? "ticket" : "none",
      ticket: ticket
        ? { status: ticket.status, amountCents: ticket.amountCents, purchasedAt: new Date(ticket.createdAt).toISOString() }
        : null,
      checkout: hold?.checkoutUrl ? { url: hold.checkoutUrl, expiresAt: new Date(hold.expiresAt).toISOString() } : null,
      waitlist: place,
      offer: offer ? { expiresAt: new Date(offer.expiresAt).toISOString() } : null,
    };
    return c.json(status);
  })
  .post("/spaces/:id/waitlist", async (c) => {
    const userId = requireUserId(c);
    const space = await getSpace(db(c.env), param(c, "id"));
    if (!space) throw notFound("That Space");
    const { place, joined } = await joinLine(c.env, space, userId);
    return c.json({ waitlist: place } satisfies WaitlistResponse, joined ? 201 : 200);
  })
  .delete("/spaces/:id/waitlist", async (c) => {
    const userId = requireUserId(c);
    const space = await getSpace(db(c.env), param(c, "id"));
    if (!space) throw notFound("That Space");
    await leaveLine(c.env, space.id, userId, c.executionCtx);
    return c.json({ waitlist: null } satisfies WaitlistResponse);
  });
