// Refunds on cancel (once per ticket, even when retried after a crash), holder notifications, Connect and earnings.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { refundAllTickets, refundRequest } from "../../worker/payments/refunds.ts";
import { stripeClient } from "../../worker/payments/stripe-client.ts";
import { buyers, deliver, eventFor, pay, ticketedSpace, type Buyer } from "./ticket-helpers.ts";

async function sell(spaceId: string, people: Buyer[]): Promise<void> {
  for (const person of people) {
    const url = (await person.call("POST", `/api/spaces/${spaceId}/checkout`)).json.url as string;
    expect((await deliver(eventFor("checkout.session.completed", await pay(url)))).json.outcome).toBe("ticket_issued");
  }
}

async function ticketsOf(spaceId: string) {
  const { results } = await env.DB.prepare("SELECT id, status, refund_id AS refundId, payment_intent_id AS pi FROM tickets WHERE space_id = ? ORDER BY id")
    .bind(spaceId)
    .all<{ id: string; status: string; refundId: string | null; pi: string }>();
  return results;
}

describe("refunds", () => {
  it("refunds every ticket once across retries, even after a crash between Stripe and D1, and notifies each holder once", async () => {
    const { space } = await ticketedSpace(5, 2500);
    const people = await buyers(3);
    await sell(space.id, people);
    const [crashed] = await ticketsOf(space.id);
    // A previous attempt reached Stripe for this ticket but died before recording it.
    const request = refundRequest({ id: crashed!.id, spaceId: space.id, paymentIntentId: crashed!.pi }, false);
    const earlier = await stripeClient(env).refunds.create(request.params, request.options);

    expect(await refundAllTickets(env, space.id)).toEqual({ refunded: 3 });
    expect(await refundAllTickets(env, space.id)).toEqual({ refunded: 0 });
    const after = await ticketsOf(space.id);
    expect(after.every((t) => t.status === "refunded" && t.refundId?.startsWith("re_"))).toBe(true);
    expect(after.find((t) => t.id === crashed!.id)!.refundId).toBe(earlier.id);
    for (const ticket of after) {
      // Each payment is fully refunded exactly once: any further refund is refused by Stripe.
      await expect(stripeClient(env).refunds.create({ payment_intent: ticket.pi })).rejects.toMatchObject({ code: "charge_already_refunded" });
    }

    const notes = await env.DB.prepare("SELECT user_id AS userId, text FROM notifications WHERE space_id = ? AND kind = 'ticket_refunded'")
      .bind(space.id)
      .all<{ userId: string; text: string }>();
    expect(notes.results.map((n) => n.userId).sort()).toEqual(people.map((p) => p.id).sort());
    expect(notes.results[0]!.text).toMatch(/was cancelled\. Your ticket \(\$25\.00\) has been refunded\./);
  });

  it("refunds a payment that completes after the Space was cancelled instead of issuing a ticket", async () => {
    const { space } = await ticketedSpace(2);
    const [buyer] = await buyers(1);
    const url = (await buyer!.call("POST", `/api/spaces/${space.id}/checkout`)).json.url as string;
    await env.DB.prepare("UPDATE spaces SET state = 'cancelled' WHERE id = ?").bind(space.id).run();
    const paid = await pay(url);
    expect((await deliver(eventFor("checkout.session.completed", paid))).json.outcome).toBe("refunded_unfulfilled");
    await expect(stripeClient(env).refunds.create({ payment_intent: paid.payment_intent as string })).rejects.toMatchObject({ code: "charge_already_refunded" });
    expect(await ticketsOf(space.id)).toEqual([]);
  });
});

describe("host payouts", () => {
  it("onboards with Connect and shows sales, fees and net per Space", async () => {
    const { host, space } = await ticketedSpace(10, 2000);
    const before = await host.call("GET", "/api/earnings");
    expect(before.json.payouts).toEqual({ connected: false, chargesEnabled: false });

    const link = await host.call("POST", "/api/stripe/connect");
    expect(link.json.url).toMatch(/\/connect\/onboarding\/acctlink_/);
    const onboarded = await fetch(`${link.json.url}/complete`, { method: "POST", redirect: "manual" });
    expect(onboarded.headers.get("location")).toBe("http://localhost/api/stripe/connect/return");
    const back = await SELF.fetch("http://localhost/api/stripe/connect/return", { headers: { Cookie: host.cookie }, redirect: "manual" });
    expect(back.status).toBe(303);
    expect(back.headers.get("location")).toBe("/earnings?connect=done");

    await sell(space.id, await buyers(2));
    const earnings = (await host.call("GET", "/api/earnings")).json;
    expect(earnings.payouts).toEqual({ connected: true, chargesEnabled: true });
    expect(earnings.platformFeePercent).toBe(10);
    expect(earnings.spaces).toEqual([
      expect.objectContaining({ spaceId: space.id, ticketsSold: 2, ticketsRefunded: 0, grossCents: 4000, feeCents: 400, netCents: 3600 }),
    ]);
    expect(earnings.totals).toEqual({ ticketsSold: 2, grossCents: 4000, feeCents: 400, netCents: 3600 });
  });
});
