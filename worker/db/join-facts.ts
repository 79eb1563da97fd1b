// Everything a join decision reads from D1, in one statement: the Space, the person, whether the host blocked them or
// follows them, whether they hold a paid ticket, and (for POST /join) whether their session row is still valid.
// One round trip instead of five on the join path (locally each D1 query costs a few ms, and they queue).
import { and, eq, getTableColumns, gt, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { blocks, follows, sessions, spaces, tickets, users, type Space } from "./schema.ts";

export type JoinFacts = {
  space: Space;
  /** The person's profile, null when no such user exists. */
  user: { handle: string; displayName: string; avatarKey: string | null } | null;
  blocked: boolean;
  hostFollows: boolean;
  paidTicket: boolean;
  /** The user id of the session row asked about, when it exists and has not expired; null otherwise (or not asked). */
  sessionUserId: string | null;
};

/** A session row to check in the same statement: the id from the signed cookie, valid only if unexpired at `now`. */
export type SessionCheck = { sessionId: string; now: number };

/** The join facts of `userId` (a signed-in person or a guest id, which matches no user) for Space `spaceId`; null when the Space does not exist. */
export async function joinFacts(db: Db, spaceId: string, userId: string, session: SessionCheck | null = null): Promise<JoinFacts | null> {
  const row = await db
    .select({
      space: getTableColumns(spaces),
      handle: users.handle,
      displayName: users.displayName,
      avatarKey: users.avatarKey,
      blocked: sql<number>`exists (select 1 from ${blocks} where ${and(eq(blocks.hostId, spaces.hostId), eq(blocks.blockedId, userId))})`,
      hostFollows: sql<number>`exists (select 1 from ${follows} where ${and(eq(follows.followerId, spaces.hostId), eq(follows.followeeId, userId))})`,
      paidTicket: sql<number>`exists (select 1 from ${tickets} where ${and(eq(tickets.spaceId, spaces.id), eq(tickets.userId, userId), eq(tickets.status, "paid"))})`,
      sessionUserId: session
        ? sql<string | null>`(select ${sessions.userId} from ${sessions} where ${and(eq(sessions.id, session.sessionId), gt(sessions.expiresAt, session.now))})`
        : sql<string | null>`null`,
    })
    .from(spaces)
    .leftJoin(users, eq(users.id, userId))
    .where(eq(spaces.id, spaceId))
    .get();
  if (!row) return null;
  return {
    space: row.space,
    user: row.handle === null || row.displayName === null ? null : { handle: row.handle, displayName: row.displayName, avatarKey: row.avatarKey },
    blocked: Boolean(row.blocked),
    hostFollows: Boolean(row.hostFollows),
    paidTicket: Boolean(row.paidTicket),
    sessionUserId: row.sessionUserId ?? null,
  };
}
