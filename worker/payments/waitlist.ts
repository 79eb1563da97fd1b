// The waitlist of a sold-out ticketed Space: joining and leaving the line, and offering freed seats (a hold expired,
// a ticket refunded, capacity grown) to the first in line with a notification, in-app and Web Push. The cron expires
// offers nobody bought in time, which frees their seats for the next in line.
import { db } from "../db/client.ts";
import type { Space } from "../db/schema.ts";
import { getSpace } from "../db/spaces.ts";
import { findTicket, seatState } from "../db/tickets.ts";
import {
  expireDueHolds,
  joinWaitlist,
  leaveWaitlist,
  offerFreeSeats,
  setTicketCapacity,
  spacesWithSeatsForWaitlist,
  waitlistPlace,
  type WaitlistPlace,
} from "../db/waitlist.ts";
import { notifyAndPush } from "../notify/deliver.ts";
import { DomainError } from "../protocol/errors.ts";
import { waitlistOfferMs } from "../settings.ts";
import { tellWatchers } from "../space/watchers.ts";

type Background = Pick<ExecutionContext, "waitUntil">;

/** A Checkout hold past its expiry is released by the cron this long after it (Stripe's own expiry event comes first). */
export const CHECKOUT_EXPIRY_GRACE_MS = 10 * 60 * 1000;

/** Joins the line (again is fine: the place is kept). Refusals say why, in words for the person. */
export async function joinLine(env: Env, space: Space, userId: string, now = Date.now()): Promise<{ place: WaitlistPlace; joined: boolean }> {
  if (space.ticketCapacity === null) throw new DomainError("invalid", "not_ticketed", "This Space is free to join; it has no tickets to wait for.");
  if (space.hostId === userId) throw new DomainError("invalid", "own_space", "You host this Space, so you need no ticket.");
  if (space.state !== "draft" && space.state !== "scheduled") throw salesClosed();
  const joined = await joinWaitlist(db(env), space.id, userId, now);
  const place = await waitlistPlace(db(env), space.id, userId);
  if (place) {
    if (joined) console.log(JSON.stringify({ event: "waitlist_joined", spaceId: space.id, userId, position: place.position }));
    return { place, joined };
  }
  throw await joinRefusal(env, space.id, userId);
}

const salesClosed = () => new DomainError("conflict", "sales_closed", "Tickets for this Space are no longer on sale, so there is no waitlist.");

/** Why the guarded insert said no, read afterwards. */
async function joinRefusal(env: Env, spaceId: string, userId: string): Promise<DomainError> {
  const current = await getSpace(db(env), spaceId);
  if (!current) return new DomainError("not_found", "not_found", "That Space was not found.");
  if (current.state !== "draft" && current.state !== "scheduled") {
    return salesClosed();
  }
  if (await findTicket(db(env), spaceId, userId)) return new DomainError("conflict", "already_has_ticket", "You already have a ticket for this Space.");
  const taken = current.ticketsSold + current.ticketsHeld;
  if (current.ticketCapacity !== null && taken < current.ticketCapacity) {
    // Seats are on sale: waiting in line would only delay the person, so they are told to buy instead.
    return new DomainError("conflict", "not_sold_out", "Tickets are still on sale: buy one now, no need to wait.");
  }
  return new DomainError("conflict", "seat_held", "A seat is already held for you: finish buying your ticket.");
}

/** Leaves the line; a seat offered to this person and not yet being bought goes to the next in line. */
export async function leaveLine(env: Env, spaceId: string, userId: string, background?: Background): Promise<void> {
  const { left, seatReturned } = await leaveWaitlist(db(env), spaceId, userId);
  if (left || seatReturned) console.log(JSON.stringify({ event: "waitlist_left", spaceId, userId, seatReturned }));
  if (seatReturned) await offerSeats(env, spaceId, Date.now(), background);
}

const offerText = (title: string, minutes: number) =>
  `A seat for "${title}" opened up and is held for you for ${minutes} minutes. Buy your ticket before it goes to the next in line.`;

/**
 * Offers the Space's free seats to the first in line and tells each of them. Safe to call at any time and from
 * several places at once (the D1 batch decides who gets what); returns how many offers it made.
 */
export async function offerSeats(env: Env, spaceId: string, now = Date.now(), background?: Background): Promise<number> {
  const windowMs = waitlistOfferMs(env);
  const offers = await offerFreeSeats(db(env), spaceId, now + windowMs);
  if (offers.length === 0) return 0;
  const space = await getSpace(db(env), spaceId);
  console.log(JSON.stringify({ event: "waitlist_offered", spaceId, offers: offers.length }));
  await notifyAndPush(
    env,
    offers.map((offer) => ({
      userId: offer.userId,
      kind: "waitlist_offer" as const,
      spaceId,
      text: offerText(space?.title ?? "a Space", Math.round(windowMs / 60_000)),
      dedupeKey: `waitlist_offer:${offer.holdId}`,
    })),
    background,
  );
  // Pages open on the Space re-read it: the people offered a seat see it, the others their new places.
  const watchers = tellWatchers(env, spaceId, space?.state ?? "scheduled");
  if (background) background.waitUntil(watchers);
  else await watchers;
  return offers.length;
}

/** The host changes a scheduled Space's ticket capacity; seats it adds go to the waitlist first. */
export async function changeCapacity(env: Env, space: Space, capacity: number, background?: Background): Promise<void> {
  if (space.ticketCapacity === null) throw new DomainError("invalid", "not_ticketed", "This Space has no tickets, so it has no capacity to change.");
  if (!(await setTicketCapacity(db(env), space.id, capacity))) {
    const current = await seatState(db(env), space.id);
    if (!current || current.state !== "scheduled") {
      throw new DomainError("conflict", "not_scheduled", "Only a scheduled Space can be edited; this one changed state just now.");
    }
    throw new DomainError("conflict", "capacity_below_taken", `${current.taken} seats are sold or held, so the capacity cannot go below ${current.taken}.`);
  }
  console.log(JSON.stringify({ event: "ticket_capacity_changed", spaceId: space.id, from: space.ticketCapacity, to: capacity }));
  if (capacity > space.ticketCapacity) await offerSeats(env, space.id, Date.now(), background);
}

/** The cron's part: expire due holds and offers, then offer every free seat of a Space with a line. */
export async function sweepWaitlists(env: Env, now: number): Promise<{ expired: number; offered: number }> {
  const expired = await expireDueHolds(db(env), now, CHECKOUT_EXPIRY_GRACE_MS);
  let offered = 0;
  for (const spaceId of await spacesWithSeatsForWaitlist(db(env))) offered += await offerSeats(env, spaceId, now);
  if (expired + offered > 0) console.log(JSON.stringify({ event: "waitlist_sweep", expired, offered }));
  return { expired, offered };
}
