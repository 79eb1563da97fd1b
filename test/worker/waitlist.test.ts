// The waitlist one case at a time: who may join and why not, leaving, an offer expiring to the next in line, buying an
// offered seat through the fake Stripe, and seats freed by a refund in Stripe and by a larger capacity.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { client } from "./helpers.ts";
import { notificationsOf, runCron } from "./spaces-support.ts";
import { buyers, deliver, eventFor, expire, pay, seats, ticketCount, ticketedSpace } from "./ticket-helpers.ts";
import { holdAllSeats, ids, line, offeredTo, scheduledTicketedSpace } from "./waitlist-helpers.ts";

const OFFER_MS = Number(env.WAITLIST_OFFER_MINUTES) * 60_000;
const path = (spaceId: string) => `/api/spaces/${spaceId}/waitlist`;

describe("joining and leaving", () => {
  it("refuses with clear errors: signed out, unknown Space, free Space, the host, seats still on sale, a ticket holder", async () => {
    const { host, space } = await scheduledTicketedSpace(1);
    const [person] = await buyers(1);
    expect((await client().call("POST", path(space.id))).json.error.code).toBe("unauthorized");
    expect((await client().call("DELETE", path(space.id))).status).toBe(401);
    expect((await person!.call("POST", path("no-such-space"))).status).toBe(404);
    const free = (await host.call("POST", "/api/spaces", { title: "Free talk" })).json.space;
    const notTicketed = await person!.call("POST", path(free.id));
    expect([notTicketed.status, notTicketed.json.error.code]).toEqual([400, "not_ticketed"]);
    expect((await host.call("POST", path(space.id))).json.error.code).toBe("own_space");
    // Seats on sale: the person should buy, not wait.
    const onSale = await person!.call("POST", path(space.id));
    expect([onSale.status, onSale.json.error.code]).toEqual([409, "not_sold_out"]);

    const [buyer] = await holdAllSeats(space.id, 1);
    const session = await pay(buyer!.url);
    expect((await deliver(eventFor("checkout.session.completed", session))).json.outcome).toBe("ticket_issued");
    const holder = await buyer!.call("POST", path(space.id));
    expect([holder.status, holder.json.error.code]).toEqual([409, "already_has_ticket"]);
    expect((await person!.call("POST", path(space.id))).status).toBe(201);
  });

  it("sold out: checkout says so with waitlist: true; joining gives a place, again keeps it, leaving removes it", async () => {
    const { space } = await scheduledTicketedSpace(1);
    await holdAllSeats(space.id, 1);
    const [a, b, c] = await buyers(3);
    const refused = await a!.call("POST", `/api/spaces/${space.id}/checkout`);
    expect([refused.status, refused.json.error.code, refused.json.error.waitlist]).toEqual([409, "sold_out", true]);

    expect(await a!.call("POST", path(space.id))).toMatchObject({ status: 201, json: { waitlist: { position: 1, length: 1 } } });
    expect(await b!.call("POST", path(space.id))).toMatchObject({ status: 201, json: { waitlist: { position: 2, length: 2 } } });
    expect(await c!.call("POST", path(space.id))).toMatchObject({ status: 201, json: { waitlist: { position: 3, length: 3 } } });
    expect(await b!.call("POST", path(space.id))).toMatchObject({ status: 200, json: { waitlist: { position: 2, length: 3 } } });

    expect(await a!.call("DELETE", path(space.id))).toMatchObject({ status: 200, json: { waitlist: null } });
    expect((await a!.call("GET", `/api/spaces/${space.id}/ticket`)).json).toMatchObject({ waitlist: null, offer: null });
    expect((await c!.call("GET", `/api/spaces/${space.id}/ticket`)).json.waitlist).toEqual({ position: 2, length: 2 });
    expect((await a!.call("DELETE", path(space.id))).status).toBe(200);
  });

  it("tells the people waiting when the host cancels the Space", async () => {
    const { host, space } = await scheduledTicketedSpace(1);
    await holdAllSeats(space.id, 1);
    const [waiting] = await line(space.id, 1);
    expect((await host.call("POST", `/api/spaces/${space.id}/cancel`)).status).toBe(200);
    const notices = await notificationsOf(waiting!);
    expect(notices.filter((n) => n.kind === "space_cancelled" && n.spaceId === space.id)).toHaveLength(1);
    const late = await waiting!.call("POST", path(space.id));
    expect([late.status, late.json.error.code]).toEqual([409, "sales_closed"]);
  });
});

describe("freed seats", () => {
  it("an expired hold's seat is held for the first in line; unbought, it moves to the next at the offer's end", async () => {
    const { space } = await scheduledTicketedSpace(1);
    const [holder] = await holdAllSeats(space.id, 1);
    const [first, second] = await line(space.id, 2);
    expect((await deliver(eventFor("checkout.session.expired", await expire(holder!.url)))).json.outcome).toBe("seat_released");
    expect(await offeredTo(space.id)).toEqual([first!.id]);
    // Nobody jumps the line: a free seat while people wait is not for sale to a newcomer.
    const [newcomer] = await buyers(1);
    expect((await newcomer!.call("POST", `/api/spaces/${space.id}/checkout`)).json.error).toMatchObject({ code: "sold_out", waitlist: true });

    const offer = (await first!.call("GET", `/api/spaces/${space.id}/ticket`)).json.offer;
    const offerEnds = Date.parse(offer.expiresAt);
    await runCron(offerEnds - 1000);
    expect(await offeredTo(space.id)).toEqual([first!.id]);
    await runCron(offerEnds + 1000);
    expect(await offeredTo(space.id)).toEqual([second!.id]);
    expect((await first!.call("GET", `/api/spaces/${space.id}/ticket`)).json).toMatchObject({ offer: null, waitlist: null });
    expect(await seats(space.id)).toEqual({ sold: 0, held: 1, capacity: 1 });
  });

  it("the offered person buys the held seat through the fake Stripe; declining passes it on", async () => {
    const { space } = await scheduledTicketedSpace(2);
    const holders = await holdAllSeats(space.id, 2);
    const [first, second, third] = await line(space.id, 3);
    for (const h of holders) await deliver(eventFor("checkout.session.expired", await expire(h.url)));
    expect((await offeredTo(space.id)).sort()).toEqual(ids([first!, second!]));

    const checkout = await first!.call("POST", `/api/spaces/${space.id}/checkout`);
    expect(checkout.status).toBe(200);
    expect((await first!.call("POST", `/api/spaces/${space.id}/checkout`)).json.url).toBe(checkout.json.url);
    const session = await pay(checkout.json.url);
    expect((await deliver(eventFor("checkout.session.completed", session))).json.outcome).toBe("ticket_issued");
    expect((await first!.call("GET", `/api/spaces/${space.id}/ticket`)).json).toMatchObject({ access: "ticket", offer: null });

    expect((await second!.call("DELETE", path(space.id))).status).toBe(200);
    expect(await offeredTo(space.id)).toEqual([third!.id]);
    expect(await seats(space.id)).toEqual({ sold: 1, held: 1, capacity: 2 });
    expect(Date.parse((await third!.call("GET", `/api/spaces/${space.id}/ticket`)).json.offer.expiresAt)).toBeGreaterThan(Date.now() + OFFER_MS / 2);
  });

  it("a full refund in Stripe (charge.refunded) frees the ticket's seat for the line, once", async () => {
    const { space } = await ticketedSpace(1);
    const [buyer] = await holdAllSeats(space.id, 1);
    const session = await pay(buyer!.url);
    await deliver(eventFor("checkout.session.completed", session));
    const [waiting] = await line(space.id, 1);

    const partial = eventFor("charge.refunded", { id: "ch_partial", object: "charge", payment_intent: session.payment_intent, refunded: false });
    expect((await deliver(partial)).json.outcome).toBe("ignored");
    const refund = eventFor("charge.refunded", { id: "ch_full", object: "charge", payment_intent: session.payment_intent, refunded: true });
    expect((await deliver(refund)).json.outcome).toBe("ticket_refunded");
    expect((await deliver(refund)).json.outcome).not.toBe("ticket_refunded");
    expect(await ticketCount(space.id, "refunded")).toBe(1);
    expect(await offeredTo(space.id)).toEqual([waiting!.id]);
    expect(await seats(space.id)).toEqual({ sold: 0, held: 1, capacity: 1 });
  });

  it("a larger capacity offers its new seats to the line; a smaller one never goes below the seats taken", async () => {
    const { host, space } = await scheduledTicketedSpace(1);
    await holdAllSeats(space.id, 1);
    const [first, second, third] = await line(space.id, 3);
    const grown = await host.call("PATCH", `/api/spaces/${space.id}`, { ticket: { capacity: 3 } });
    expect(grown.status).toBe(200);
    expect((await offeredTo(space.id)).sort()).toEqual(ids([first!, second!]));
    expect((await third!.call("GET", `/api/spaces/${space.id}/ticket`)).json.waitlist).toEqual({ position: 1, length: 1 });

    const below = await host.call("PATCH", `/api/spaces/${space.id}`, { ticket: { capacity: 2 } });
    expect([below.status, below.json.error.code]).toEqual([409, "capacity_below_taken"]);
    const bad = await host.call("PATCH", `/api/spaces/${space.id}`, { ticket: { capacity: 0 } });
    expect([bad.status, bad.json.error.code]).toEqual([400, "invalid_input"]);
    const [stranger] = await buyers(1);
    expect((await stranger!.call("PATCH", `/api/spaces/${space.id}`, { ticket: { capacity: 9 } })).status).toBe(403);
    expect(await seats(space.id)).toEqual({ sold: 0, held: 3, capacity: 3 });
  });
});
