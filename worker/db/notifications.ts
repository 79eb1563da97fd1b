// Creating notifications exactly once: each carries a dedupe key (event + person) under a unique index.
import { sql } from "drizzle-orm";
import type { Db } from "../http/context.ts";
import { notifications, type NotificationKind } from "./schema.ts";

export type NewNotification = {
  userId: string;
  kind: NotificationKind;
  spaceId: string | null;
  text: string;
  /** Same key → same notification; a second insert is ignored, so retries and overlapping producers are safe. */
  dedupeKey: string;
};

/** Inserts notifications, skipping any whose dedupe key exists; returns how many were new. */
export async function notify(db: Db, items: NewNotification[]): Promise<number> {
  let created = 0;
  // D1 limits bound parameters per statement; 100 rows × 6 columns stays well inside it.
  for (let i = 0; i < items.length; i += 15) {
    const rows = await db
      .insert(notifications)
      .values(items.slice(i, i + 15).map((item) => ({ id: crypto.randomUUID(), ...item })))
      .onConflictDoNothing({ target: notifications.dedupeKey })
      .returning({ id: notifications.id });
    created += rows.length;
  }
  return created;
}

export async function unreadCount(db: Db, userId: string): Promise<number> {
  const row = await db.get<{ n: number }>(
    sql`SELECT count(*) AS n FROM notifications WHERE user_id = ${userId} AND read_at IS NULL`,
  );
  return row?.n ?? 0;
}
