// The waitlist's exactly-once guarantee under load: 10 seats freed at once (each expiry delivered twice, shuffled)
// with 50 people in line → exactly the first 10 get held seats, each told once, and the other 40 keep their order.
import { describe, expect, it } from "vitest";
import { deliver, eventFor, expire, seats, shuffle } from "./ticket-helpers.ts";
import { holdAllSeats, ids, line, offeredTo, offerNotifications, scheduledTicketedSpace } from "./waitlist-helpers.ts";

describe("waitlist race", () => {
  // Generous: 60 people and 20 webhook deliveries on a shared 2-core machine; speed is the bench's job, not this test's.
  it("gives 10 seats freed concurrently to exactly the first 10 of 50 waiting", { timeout: 180_000 }, async () => {
    const { space } = await scheduledTicketedSpace(10);
    const holders = await holdAllSeats(space.id, 10);
    const waiting = await line(space.id, 50);
    expect(await seats(space.id)).toEqual({ sold: 0, held: 10, capacity: 10 });

    const expired = await Promise.all(holders.map((h) => expire(h.url)));
    const events = expired.map((session) => eventFor("checkout.session.expired", session));
    const responses = await Promise.all(shuffle([...events, ...events]).map((payload) => deliver(payload)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    const outcomes = responses.map((r) => r.json.outcome);
    expect(outcomes.filter((o) => o === "seat_released")).toHaveLength(10);
    expect(outcomes.filter((o) => o === "already_applied")).toHaveLength(10);

    const first10 = waiting.slice(0, 10);
    expect((await offeredTo(space.id)).sort()).toEqual(ids(first10));
    expect((await offerNotifications(space.id)).sort()).toEqual(ids(first10));
    expect(await seats(space.id)).toEqual({ sold: 0, held: 10, capacity: 10 });

    const statuses = await Promise.all(waiting.map((p) => p.call("GET", `/api/spaces/${space.id}/ticket`)));
    for (const [i, status] of statuses.entries()) {
      if (i < 10) expect(status.json).toMatchObject({ offer: { expiresAt: expect.any(String) }, waitlist: null });
      else expect(status.json).toMatchObject({ offer: null, waitlist: { position: i - 9, length: 40 } });
    }
  });
});
