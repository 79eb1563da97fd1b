// Who may enter a Space's room: the one place the join route asks. It refuses people the host has blocked and,
// in ticketed Spaces, people with no ticket (see payments/ticket-access.ts).
import { and, eq } from "drizzle-orm";
import { blocks, type Space } from "../db/schema.ts";
import { assertTicketAccess } from "../payments/ticket-access.ts";
import { db } from "./context.ts";
import { ApiError } from "./errors.ts";

/** Throws the contract's error when `userId` may not enter `space`; the host always may. */
export async function assertCanEnter(env: Env, space: Space, userId: string): Promise<void> {
  if (userId === space.hostId) return;
  const blocked = await db(env).query.blocks.findFirst({
    where: and(eq(blocks.hostId, space.hostId), eq(blocks.blockedId, userId)),
  });
  if (blocked) throw new ApiError(403, "blocked", "The host has blocked you from their Spaces.");
  await assertTicketAccess(env, space, userId);
}
