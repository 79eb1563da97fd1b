// Queries about people: lookup by handle or id, creation, follower counts and the follow graph.
import { and, count, eq, lte, sql } from "drizzle-orm";
import type { PublicUser } from "../protocol/api.ts";
import type { Db } from "./client.ts";
import { follows, users, type User } from "./schema.ts";

/** Where a stored profile picture is served (GET /api/avatars/*); keys are unique per upload, so it never changes. */
export const avatarUrlOf = (avatarKey: string | null | undefined) => (avatarKey ? `/api/${avatarKey}` : null);

export function toPublicUser(user: Pick<User, "id" | "handle" | "displayName"> & { avatarKey?: string | null }): PublicUser {
  return { id: user.id, handle: user.handle, displayName: user.displayName, avatarUrl: avatarUrlOf(user.avatarKey) };
}

/** Sets (or clears) the profile picture; returns the key it replaced, for deletion. */
export async function setAvatarKey(db: Db, userId: string, avatarKey: string | null): Promise<string | null> {
  const before = await db.query.users.findFirst({ where: eq(users.id, userId), columns: { avatarKey: true } });
  await db.update(users).set({ avatarKey }).where(eq(users.id, userId));
  return before?.avatarKey ?? null;
}

export async function findUserByHandle(db: Db, handle: string): Promise<User | undefined> {
  return db.query.users.findFirst({ where: sql`lower(${users.handle}) = ${handle.toLowerCase()}` });
}

export async function findUserById(db: Db, id: string): Promise<User | undefined> {
  return db.query.users.findFirst({ where: eq(users.id, id) });
}

/** Creates a user; returns null when the handle is taken (the unique index decides, so two racing signups cannot both win). */
export async function createUser(
  db: Db,
  input: { handle: string; displayName: string; passwordHash: string; passwordSalt: string },
): Promise<User | null> {
  const rows = await db
    .insert(users)
    .values({ id: crypto.randomUUID(), calendarToken: crypto.randomUUID().replaceAll("-", ""), ...input })
    .onConflictDoNothing()
    .returning();
  return rows[0] ?? null;
}

export async function setPassword(db: Db, userId: string, passwordHash: string, passwordSalt: string): Promise<void> {
  await db.update(users).set({ passwordHash, passwordSalt }).where(eq(users.id, userId));
}

/** Counts are derived from the follows table itself, so they are exact whatever the concurrency. */
export async function followCounts(db: Db, userId: string): Promise<{ followers: number; following: number }> {
  const [followers, following] = await db.batch([
    db.select({ n: count() }).from(follows).where(eq(follows.followeeId, userId)),
    db.select({ n: count() }).from(follows).where(eq(follows.followerId, userId)),
  ]);
  return { followers: followers[0]?.n ?? 0, following: following[0]?.n ?? 0 };
}

/** Followers whose accounts were made before `createdBefore`: the ones that count toward the host gate. */
export async function seasonedFollowerCount(db: Db, userId: string, createdBefore: number): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(follows)
    .innerJoin(users, eq(users.id, follows.followerId))
    .where(and(eq(follows.followeeId, userId), lte(users.createdAt, createdBefore)));
  return row?.n ?? 0;
}

export async function isFollowing(db: Db, followerId: string, followeeId: string): Promise<boolean> {
  const row = await db.query.follows.findFirst({
    where: and(eq(follows.followerId, followerId), eq(follows.followeeId, followeeId)),
  });
  return Boolean(row);
}

export async function follow(db: Db, followerId: string, followeeId: string): Promise<void> {
  await db.insert(follows).values({ followerId, followeeId }).onConflictDoNothing();
}

export async function unfollow(db: Db, followerId: string, followeeId: string): Promise<void> {
  await db.delete(follows).where(and(eq(follows.followerId, followerId), eq(follows.followeeId, followeeId)));
}
