// Checkout rules and webhook handling one case at a time: reuse, refusals, expiry, out-of-order events, bad input.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signup } from "./helpers.ts";
import { buyers, deliver, eventFor, expire, pay, seats, sessionIdOf, signed, ticketCount, ticketedSpace } from "./ticket-helpers.ts";

describe("checkout", () => {
  it("returns the same URL for an open hold, and already_has_ticket once paid", async () => {
    const { space } = await ticketedSpace(5);
    const [buyer] = await buyers(1);
    const first = await buyer!.call("POST", `/api/spaces/${space.id}/checkout`);
    expect(first.status).toBe(200);
    expect(first.json.url).toMatch(/\/checkout\/cs_test_/);
    const again = await buyer!.call("POST", `/api/spaces/${space.id}/checkout`);
    expect(again.json.url).toBe(first.json.url);
    expect(await seats(space.id)).toMatchObject({ held: 1 });
    expect((await buyer!.call("GET", `/api/spaces/${space.id}/ticket`)).json).toMatchObject({ access: "none", checkout: { url: first.json.url } });

    const session = await pay(first.json.url);
    expect(session).toMatchObject({ status: "complete", amount_total: 1500, metadata: { spaceId: space.id, userId: buyer!.id } });
    expect((await deliver(eventFor("checkout.session.completed", session))).json.outcome).toBe("ticket_issued");
    const holder = await buyer!.call("POST", `/api/spaces/${space.id}/checkout`);
    expect(holder.status).toBe(409);
    expect(holder.json.error.code).toBe("already_has_ticket");
    expect((await buyer!.call("GET", `/api/spaces/${space.id}/ticket`)).json).toMatchObject({ access: "ticket", ticket: { status: "paid", amountCents: 1500 } });
  });

  it("refuses free Spaces, the host, anonymous buyers, and closes sales when the Space starts", async () => {
    const { host, space } = await ticketedSpace(5);
    const free = (await host.call("POST", "/api/spaces", { title: "Free talk" })).json.space;
    const [buyer] = await buyers(1);
    const notTicketed = await buyer!.call("POST", `/api/spaces/${free.id}/checkout`);
    expect(notTicketed.status).toBe(400);
    expect(notTicketed.json.error.code).toBe("not_ticketed");
    expect((await host.call("POST", `/api/spaces/${space.id}/checkout`)).json.error.code).toBe("own_space");
    const anonymous = await signup();
    anonymous.cookie = "";
    expect((await anonymous.call("POST", `/api/spaces/${space.id}/checkout`)).status).toBe(401);
    expect((await buyer!.call("POST", "/api/spaces/no-such-space/checkout")).status).toBe(404);

    await env.DB.prepare("UPDATE spaces SET state = 'live' WHERE id = ?").bind(space.id).run();
    const closed = await buyer!.call("POST", `/api/spaces/${space.id}/checkout`);
    expect(closed.status).toBe(409);
    expect(closed.json.error.code).toBe("sales_closed");
    expect(await seats(space.id)).toMatchObject({ held: 0 });
  });

  it("releases the seat when Stripe refuses the session", async () => {
    const { host, space } = await ticketedSpace(1);
    await env.DB.prepare("UPDATE users SET stripe_account_id = 'acct_1missing', stripe_charges_enabled = 1 WHERE id = ?").bind(host.id).run();
    const [buyer] = await buyers(1);
    const failed = await buyer!.call("POST", `/api/spaces/${space.id}/checkout`);
    expect(failed.status).toBe(502);
    expect(failed.json.error.code).toBe("payment_provider_error");
    expect(await seats(space.id)).toMatchObject({ held: 0, sold: 0 });
  });

  it("frees an expired session's seat for the next buyer, and a late expiry never frees a sold seat", async () => {
    const { space } = await ticketedSpace(1);
    const [first, second, third] = await buyers(3);
    const url = (await first!.call("POST", `/api/spaces/${space.id}/checkout`)).json.url as string;
    expect((await second!.call("POST", `/api/spaces/${space.id}/checkout`)).json.error.code).toBe("sold_out");

    const expiredEvent = eventFor("checkout.session.expired", await expire(url));
    expect((await deliver(expiredEvent)).json.outcome).toBe("seat_released");
    expect((await deliver(expiredEvent)).json.outcome).toBe("already_applied");
    expect(await seats(space.id)).toMatchObject({ held: 0, sold: 0 });

    const secondUrl = (await second!.call("POST", `/api/spaces/${space.id}/checkout`)).json.url as string;
    const paid = await pay(secondUrl);
    expect((await deliver(eventFor("checkout.session.completed", paid))).json.outcome).toBe("ticket_issued");
    // An expiry for the paid session (out of order or forged by a replay) must not give the seat away.
    expect((await deliver(eventFor("checkout.session.expired", { ...paid, status: "expired" }))).json.outcome).toBe("already_applied");
    expect(await seats(space.id)).toMatchObject({ held: 0, sold: 1 });
    expect((await third!.call("POST", `/api/spaces/${space.id}/checkout`)).json.error.code).toBe("sold_out");
  });

  it("handles completed after expired: a ticket if a seat is free, otherwise a refund and no oversell", async () => {
    const { space } = await ticketedSpace(1);
    const [late, other] = await buyers(2);
    const url = (await late!.call("POST", `/api/spaces/${space.id}/checkout`)).json.url as string;
    const paid = await pay(url);
    await deliver(eventFor("checkout.session.expired", { ...paid, status: "expired", payment_status: "unpaid" }));
    expect(await seats(space.id)).toMatchObject({ held: 0, sold: 0 });
    // The freed seat goes to someone else before the late completion arrives.
    const otherUrl = (await other!.call("POST", `/api/spaces/${space.id}/checkout`)).json.url as string;
    expect((await deliver(eventFor("checkout.session.completed", paid))).json.outcome).toBe("refunded_unfulfilled");
    expect(await seats(space.id)).toMatchObject({ held: 1, sold: 0 });
    expect(await ticketCount(space.id)).toBe(0);
    expect((await deliver(eventFor("checkout.session.completed", await pay(otherUrl)))).json.outcome).toBe("ticket_issued");
    expect(await seats(space.id)).toEqual({ held: 0, sold: 1, capacity: 1 });
  });
});

describe("stripe webhook input", () => {
  it("rejects missing and wrong signatures", async () => {
    const payload = eventFor("checkout.session.completed", { id: "cs_test_x", object: "checkout.session", metadata: {} });
    const missing = await deliver(payload, "");
    expect(missing.status).toBe(400);
    expect(missing.json.error.code).toBe("missing_signature");
    const wrong = await deliver(payload, await signed(payload, "whsec_someone_else"));
    expect(wrong.status).toBe(400);
    expect(wrong.json.error).toMatchObject({ code: "bad_signature", message: "The Stripe-Signature header does not match this body." });
    const tampered = await deliver(payload.replace("cs_test_x", "cs_test_y"), await signed(payload));
    expect(tampered.json.error.code).toBe("bad_signature");
  });

  it("rejects a correctly signed body that is not an event", async () => {
    for (const body of ["{not json", JSON.stringify({ hello: "world" })]) {
      const res = await deliver(body);
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe("invalid_event");
    }
  });

  it("names an unknown Space or session, and ignores events that are not ours", async () => {
    const unknownSpace = await deliver(eventFor("checkout.session.completed", { id: "cs_test_nope", object: "checkout.session", payment_status: "paid", metadata: { spaceId: "no-such-space", userId: "u" } }));
    expect(unknownSpace.status).toBe(404);
    expect(unknownSpace.json.error).toMatchObject({ code: "unknown_space", message: "The event names Space no-such-space, which does not exist." });
    const { space } = await ticketedSpace(1);
    const unknownSession = await deliver(eventFor("checkout.session.completed", { id: "cs_test_nope", object: "checkout.session", payment_status: "paid", metadata: { spaceId: space.id } }));
    expect(unknownSession.json.error.code).toBe("unknown_checkout_session");
    const notOurs = await deliver(eventFor("checkout.session.completed", { id: "cs_test_other", object: "checkout.session", payment_status: "paid", metadata: {} }));
    expect(notOurs).toMatchObject({ status: 200, json: { outcome: "ignored" } });
    const otherType = await deliver(eventFor("invoice.paid", { id: "in_1", object: "invoice" }));
    expect(otherType).toMatchObject({ status: 200, json: { received: true, outcome: "ignored" } });
  });
});
