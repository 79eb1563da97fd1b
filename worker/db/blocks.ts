// Hosts' block lists: who a host has removed for good from all their Spaces.
import { and, eq } from "drizzle-orm";
import type { Db } from "./client.ts";
import { blocks } from "./schema.ts";

export async function isBlocked(db: Db, hostId: string, userId: string): Promise<boolean> {
  const row = await db.query.blocks.findFirst({ where: and(eq(blocks.hostId, hostId), eq(blocks.blockedId, userId)) });
  return row !== undefined;
}

/** Adds a block; a repeated block is a no-op. */
export async function recordBlock(db: Db, hostId: string, blockedId: string): Promise<void> {
  await db.insert(blocks).values({ hostId, blockedId }).onConflictDoNothing();
}
