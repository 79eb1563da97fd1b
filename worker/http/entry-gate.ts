// Who may enter a Space's room: the one place the join route asks. It refuses people the host has blocked and,
// in ticketed Spaces, people with no ticket (see payments/ticket-access.ts).
import { isBlocked } from "../db/blocks.ts";
import { db } from "../db/client.ts";
import type { Space } from "../db/schema.ts";
import { assertTicketAccess } from "../payments/ticket-access.ts";
import { roomFor } from "../space/space-room.ts";
import { ApiError } from "./errors.ts";

/** Throws the contract's error when `userId` may not enter `space`; the host always may. */
export async function assertCanEnter(env: Env, space: Space, userId: string): Promise<void> {
  if (userId === space.hostId) return;
  if (await isBlocked(db(env), space.hostId, userId)) throw new ApiError(403, "blocked", "The host has blocked you from their Spaces.");
  await assertTicketAccess(env, space, userId, async (id) => roomFor(env, space.id).getRoleOf(id));
}
