// Server-side sessions: a row per signed-in browser. The cookie is only good while its row exists and is unexpired,
// so logging out (or a password change, via endAllSessions) ends a session for good, not just in that browser.
import { and, eq, gt, lte } from "drizzle-orm";
import type { Db } from "./client.ts";
import { sessions } from "./schema.ts";

export async function createSession(db: Db, userId: string, now: number, ttlMs: number): Promise<string> {
  const id = crypto.randomUUID();
  await db.insert(sessions).values({ id, userId, expiresAt: now + ttlMs, createdAt: now });
  return id;
}

/** The user of a live session, or null when it ended or expired. */
export async function sessionUser(db: Db, sessionId: string, now: number): Promise<string | null> {
  const row = await db.query.sessions.findFirst({
    columns: { userId: true },
    where: and(eq(sessions.id, sessionId), gt(sessions.expiresAt, now)),
  });
  return row?.userId ?? null;
}

export async function endSessionRow(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Ends every session of a person (password change). */
export async function endAllSessions(db: Db, userId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}

/** Expired rows are worthless; the cron clears them so the table holds live sessions only. */
export async function deleteExpiredSessions(db: Db, now: number): Promise<void> {
  await db.delete(sessions).where(lte(sessions.expiresAt, now));
}
