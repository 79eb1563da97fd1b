// Who may enter a Space's room: the one place the join route asks. It refuses people the host has blocked and,
// in ticketed Spaces, people with no ticket (see payments/ticket-access.ts), from the join's one read (db/join-facts.ts).
import type { JoinFacts } from "../db/join-facts.ts";
import { assertTicketAccess } from "../payments/ticket-access.ts";
import { roomFor } from "../space/space-room.ts";
import { ApiError } from "./errors.ts";

/** Throws the contract's error when `userId` may not enter the Space of `facts`; the host always may. */
export async function assertCanEnter(env: Env, facts: JoinFacts, userId: string): Promise<void> {
  const { space } = facts;
  if (userId === space.hostId) return;
  if (facts.blocked) throw new ApiError(403, "blocked", "The host has blocked you from their Spaces.");
  await assertTicketAccess(space, userId, facts.paidTicket, async (id) => roomFor(env, space.id).getRoleOf(id));
}
