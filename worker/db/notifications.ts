// Creating notifications exactly once: each carries a dedupe key (event + person) under a unique index.
import { sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { notifications, type NotificationKind } from "./schema.ts";

export type NewNotification = {
  userId: string;
  kind: NotificationKind;
  spaceId: string | null;
  text: string;
  /** Same key → same notification; a second insert is ignored, so retries and overlapping producers are safe. */
  dedupeKey: string;
};

/** A notification row just written: what a producer's INSERT … RETURNING gives back, and what a push needs. */
export type CreatedNotification = { id: string; userId: string; kind: NotificationKind; spaceId: string | null; text: string };

/**
 * Inserts notifications, skipping any whose dedupe key exists; returns the rows that were new. Producers call
 * `notifyAndPush` (worker/notify/deliver.ts) rather than this, so the new rows also reach subscribed browsers.
 */
export async function notify(db: Db, items: NewNotification[]): Promise<CreatedNotification[]> {
  const created: CreatedNotification[] = [];
  // D1 limits bound parameters per statement; 15 rows × 6 columns stays well inside it.
  for (let i = 0; i < items.length; i += 15) {
    const rows = await db
      .insert(notifications)
      .values(items.slice(i, i + 15).map((item) => ({ id: crypto.randomUUID(), ...item })))
      .onConflictDoNothing({ target: notifications.dedupeKey })
      .returning({
        id: notifications.id,
        userId: notifications.userId,
        kind: notifications.kind,
        spaceId: notifications.spaceId,
        text: notifications.text,
      });
    created.push(...rows);
  }
  return created;
}

export async function unreadCount(db: Db, userId: string): Promise<number> {
  const row = await db.get<{ n: number }>(
    sql`SELECT count(*) AS n FROM notifications WHERE user_id = ${userId} AND read_at IS NULL`,
  );
  return row?.n ?? 0;
}
