// Reminder rows: who asked to be told when a scheduled Space starts. Sending them is in space-notices.ts.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { reminders } from "./schema.ts";

/**
 * Adds a reminder only while the Space is still scheduled; the state check and the insert are one statement,
 * so a Space that starts or is cancelled at the same moment never gets a reminder that would never fire.
 * Returns false when the Space is not scheduled (an existing reminder counts as success).
 */
export async function addReminder(db: Db, spaceId: string, userId: string): Promise<boolean> {
  await db.run(sql`
    INSERT INTO reminders (space_id, user_id)
    SELECT id, ${userId} FROM spaces WHERE id = ${spaceId} AND state = 'scheduled'
    ON CONFLICT (space_id, user_id) DO NOTHING`);
  const row = await db.query.reminders.findFirst({
    where: and(eq(reminders.spaceId, spaceId), eq(reminders.userId, userId)),
  });
  return Boolean(row);
}

export async function removeReminder(db: Db, spaceId: string, userId: string): Promise<void> {
  await db.delete(reminders).where(and(eq(reminders.spaceId, spaceId), eq(reminders.userId, userId)));
}

/** Which of these Spaces the user asked to be reminded of. */
export async function remindedAmong(db: Db, userId: string, spaceIds: string[]): Promise<Set<string>> {
  if (spaceIds.length === 0) return new Set();
  const rows = await db
    .select({ spaceId: reminders.spaceId })
    .from(reminders)
    .where(and(eq(reminders.userId, userId), inArray(reminders.spaceId, spaceIds)));
  return new Set(rows.map((r) => r.spaceId));
}

/** Ids of Spaces the user holds reminders for, latest scheduled first; bounded for the calendar feed. */
export async function remindedSpaceIds(db: Db, userId: string, limit = 100): Promise<string[]> {
  const rows = await db.all<{ space_id: string }>(sql`
    SELECT r.space_id FROM reminders r JOIN spaces s ON s.id = r.space_id
    WHERE r.user_id = ${userId}
    ORDER BY s.scheduled_for DESC LIMIT ${limit}`);
  return rows.map((r) => r.space_id);
}
