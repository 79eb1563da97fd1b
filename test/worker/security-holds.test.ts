// Ticket holds limited (issue 12): open holds (unpaid checkouts) per address and per account, checked in the seat's one
// guarded statement, so a few throwaway accounts on one network can no longer hold a small Space's every seat.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ORIGIN } from "./helpers.ts";
import { buyers, deliver, eventFor, pay, seats, ticketedSpace, type Buyer } from "./ticket-helpers.ts";

/** POST /checkout as this buyer from a given address (Cloudflare's CF-Connecting-IP). */
async function checkoutFrom(buyer: Buyer, address: string, spaceId: string) {
  const response = await SELF.fetch(`${ORIGIN}/api/spaces/${spaceId}/checkout`, {
    method: "POST",
    headers: { Origin: ORIGIN, Cookie: buyer.cookie, "CF-Connecting-IP": address },
  });
  const json = (await response.json()) as { url?: string; error?: { code: string; message: string } };
  return { status: response.status, code: json.error?.code ?? "ok", message: json.error?.message ?? "", url: json.url ?? "" };
}

describe("open holds per address", () => {
  it("three accounts from one address hold at most 2 seats at once (429 too_many_holds); others still buy; a paid hold frees the slot", async () => {
    const { space } = await ticketedSpace(5);
    const [a1, a2, a3, elsewhere] = await buyers(4);
    const fromOneAddress = await Promise.all([a1!, a2!, a3!].map((buyer) => checkoutFrom(buyer, "203.0.113.40", space.id)));
    expect(fromOneAddress.map((r) => r.status).sort()).toEqual([200, 200, 429]);
    const refused = fromOneAddress.find((r) => r.status === 429)!;
    expect(refused.code).toBe("too_many_holds");
    expect(refused.message).toContain("from your network");
    expect(await seats(space.id)).toMatchObject({ held: 2 });

    expect((await checkoutFrom(elsewhere!, "198.51.100.41", space.id)).status).toBe(200);

    // Paying closes a hold: the address has one open hold again, so the refused account gets its seat now.
    const held = fromOneAddress.filter((r) => r.status === 200);
    const delivered = await deliver(eventFor("checkout.session.completed", await pay(held[0]!.url)));
    expect(delivered.json.outcome).toBe("ticket_issued");
    const waiting = [a1!, a2!, a3!][fromOneAddress.indexOf(refused)]!;
    expect((await checkoutFrom(waiting, "203.0.113.40", space.id)).status).toBe(200);
    expect(await seats(space.id)).toEqual({ sold: 1, held: 3, capacity: 5 });
  });
});

describe("open holds per account", () => {
  it("one account holds seats in at most 3 Spaces at once, from any address", async () => {
    const spaces = [];
    for (let i = 0; i < 4; i++) spaces.push((await ticketedSpace(10)).space);
    const [buyer] = await buyers(1);
    const results = [];
    for (const [i, space] of spaces.entries()) results.push(await checkoutFrom(buyer!, `192.0.2.${60 + i}`, space.id));
    expect(results.map((r) => [r.status, r.code])).toEqual([[200, "ok"], [200, "ok"], [200, "ok"], [429, "too_many_holds"]]);
    expect(results[3]!.message).toContain("3 unpaid checkout(s) open");
    // Asking again for a Space it already holds returns that checkout, not a refusal.
    expect(await checkoutFrom(buyer!, "192.0.2.99", spaces[0]!.id)).toMatchObject({ status: 200, url: results[0]!.url });
  });
});
