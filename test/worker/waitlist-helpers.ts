// Helpers for the waitlist tests: a sold-out ticketed Space, a line of people, and who holds an offered seat.
import { env } from "cloudflare:test";
import { host } from "./helpers.ts";
import { buyers, type Buyer } from "./ticket-helpers.ts";

/** A scheduled ticketed Space (scheduled, so the host may change its capacity), with its host. */
export async function scheduledTicketedSpace(capacity: number) {
  const h = await host();
  const res = await h.call("POST", "/api/spaces", {
    title: "Sold-out talk",
    scheduledFor: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    ticket: { priceCents: 1500, currency: "usd", capacity },
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.json)}`);
  return { host: h, space: res.json.space as { id: string } };
}

/** `count` buyers each start a checkout, holding every seat; returns them with their Checkout URLs. */
export async function holdAllSeats(spaceId: string, count: number): Promise<(Buyer & { url: string })[]> {
  const people = await buyers(count);
  return Promise.all(
    people.map(async (person) => {
      const res = await person.call("POST", `/api/spaces/${spaceId}/checkout`);
      if (res.status !== 200) throw new Error(`checkout failed: ${res.status} ${JSON.stringify(res.json)}`);
      return Object.assign(person, { url: res.json.url as string });
    }),
  );
}

/** `count` people join the line one after another, so their order is known. */
export async function line(spaceId: string, count: number): Promise<Buyer[]> {
  const people = await buyers(count);
  for (const person of people) {
    const res = await person.call("POST", `/api/spaces/${spaceId}/waitlist`);
    if (res.status !== 201) throw new Error(`join failed: ${res.status} ${JSON.stringify(res.json)}`);
  }
  return people;
}

/** The people holding a seat the waitlist offered them (open waitlist holds), in no particular order. */
export async function offeredTo(spaceId: string): Promise<string[]> {
  const { results } = await env.DB.prepare(
    "SELECT user_id AS userId FROM ticket_holds WHERE space_id = ? AND source = 'waitlist' AND status = 'open'",
  )
    .bind(spaceId)
    .all<{ userId: string }>();
  return results.map((row) => row.userId);
}

export async function offerNotifications(spaceId: string): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT user_id AS userId FROM notifications WHERE space_id = ? AND kind = 'waitlist_offer'")
    .bind(spaceId)
    .all<{ userId: string }>();
  return results.map((row) => row.userId);
}

export const ids = (people: { id: string }[]) => people.map((p) => p.id).sort();
