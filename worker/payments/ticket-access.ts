// Who may enter a ticketed Space without buying: the host, paid ticket holders, and people the room already
// has on stage (co-hosts and speakers the host invited up), asked of the room only when needed.
import type { Space } from "../db/schema.ts";
import { DomainError } from "../protocol/errors.ts";
import type { Role } from "../protocol/room.ts";

const STAGE_ROLES = new Set<Role>(["host", "cohost", "speaker"]);

/** The one question this asks the live room: the person's current role there, or null. */
export type RoomRoleOf = (userId: string) => Promise<Role | null>;

/**
 * Throws ticket_required when `userId` needs a ticket for `space` and has none. Free Spaces pass. `paidTicket` comes
 * from the caller's own read (the join path reads it in the same statement as the Space).
 */
export async function assertTicketAccess(space: Space, userId: string, paidTicket: boolean, roleInRoom: RoomRoleOf): Promise<void> {
  if (space.ticketCapacity === null || userId === space.hostId || paidTicket) return;
  if (space.state === "live") {
    const role = await roleInRoom(userId);
    if (role && STAGE_ROLES.has(role)) return;
  }
  throw new DomainError("payment_required", "ticket_required", "This Space needs a ticket. Buy one to join.");
}
