// Who may enter a ticketed Space without buying: the host, paid ticket holders, and people the room already
// has on stage (co-hosts and speakers the host invited up), asked of the SpaceRoom only when needed.
import type { Space } from "../db/schema.ts";
import { hasPaidTicket } from "../db/tickets.ts";
import { ApiError } from "../http/errors.ts";
import { roomFor } from "../space/space-room.ts";

const STAGE_ROLES = new Set(["host", "cohost", "speaker"]);

/** Throws 402 ticket_required when `userId` needs a ticket for `space` and has none. Free Spaces pass. */
export async function assertTicketAccess(env: Env, space: Space, userId: string): Promise<void> {
  if (space.ticketCapacity === null || userId === space.hostId) return;
  if (await hasPaidTicket(env.DB, space.id, userId)) return;
  if (space.state === "live") {
    const role = await roomFor(env, space.id).getRoleOf(userId);
    if (role && STAGE_ROLES.has(role)) return;
  }
  throw new ApiError(402, "ticket_required", "This Space needs a ticket. Buy one to join.");
}
