// Notices about a Space's life (live, reminder due, cancelled), each written exactly once by guarded SQL in one D1 batch.
// A batch is one transaction, so the notification insert and the `sent_at` guard can never be split by a crash or a race.
// INSERT … SELECT … ON CONFLICT … RETURNING has no query-builder form: these are `sql` text run by `batch` (client.ts),
// whose results keep the returned rows.
import { sql, type SQL } from "drizzle-orm";
import { batch, statement, type Db } from "./client.ts";
import type { CreatedNotification } from "./notifications.ts";

/** Live, or scheduled time reached while still scheduled. */
const dueSpace = (now: number) => sql`(s.state = 'live' OR (s.state = 'scheduled' AND s.scheduled_for <= ${now}))`;
/** All Spaces (null) or just this one. */
const onlySpace = (spaceId: string | null): SQL => (spaceId === null ? sql`1` : sql`s.id = ${spaceId}`);
const NEW_ID = sql.raw(`lower(hex(randomblob(16)))`);
/** Each insert returns the rows it created (conflicts return nothing), so exactly the new ones get pushed. */
const CREATED_COLUMNS = sql.raw(`id, user_id AS userId, kind, space_id AS spaceId, text`);

/** Notifications for unsent reminders of due Spaces. Runs before the guard below in the same transaction. */
function reminderInserts(db: Db, now: number, spaceId: string | null) {
  return statement(db, sql`
    INSERT INTO notifications (id, user_id, kind, space_id, text, dedupe_key)
    SELECT ${NEW_ID}, r.user_id, 'space_reminder', s.id,
      CASE WHEN s.state = 'live' THEN u.display_name || ' is live now: ' || s.title
           ELSE s.title || ' by ' || u.display_name || ' is due to start now' END,
      'reminder:' || s.id || ':' || r.user_id
    FROM reminders r JOIN spaces s ON s.id = r.space_id JOIN users u ON u.id = s.host_id
    WHERE r.sent_at IS NULL AND ${dueSpace(now)} AND ${onlySpace(spaceId)}
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING ${CREATED_COLUMNS}`);
}

/** The guard: marks exactly the reminders notified above; RETURNING tells the caller who was reminded. */
function reminderGuard(db: Db, now: number, spaceId: string | null) {
  return statement(db, sql`
    UPDATE reminders SET sent_at = ${now}
    WHERE sent_at IS NULL AND space_id IN (
      SELECT s.id FROM spaces s WHERE ${dueSpace(now)} AND ${onlySpace(spaceId)})
    RETURNING space_id, user_id`);
}

/**
 * "X is live" for the host's followers, for live Spaces started since `since`. People whose reminder is unsent
 * (it goes out in the same batch) or went out since the start already hear "is live now" from the reminder.
 */
function liveInserts(db: Db, since: number, spaceId: string | null) {
  return statement(db, sql`
    INSERT INTO notifications (id, user_id, kind, space_id, text, dedupe_key)
    SELECT ${NEW_ID}, f.follower_id, 'space_live', s.id,
      u.display_name || ' is live: ' || s.title,
      'live:' || s.id || ':' || f.follower_id
    FROM spaces s JOIN users u ON u.id = s.host_id JOIN follows f ON f.followee_id = s.host_id
    WHERE s.state = 'live' AND coalesce(s.started_at, 0) >= ${since} AND ${onlySpace(spaceId)}
      AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.space_id = s.id AND r.user_id = f.follower_id
        AND (r.sent_at IS NULL OR r.sent_at >= coalesce(s.started_at, 0)))
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING ${CREATED_COLUMNS}`);
}

export type NoticeResult = {
  liveNotices: number;
  reminders: { spaceId: string; userId: string }[];
  /** Every notification row the batch created (live and reminder), for pushing. */
  created: CreatedNotification[];
};

function result(live: D1Result, inserted: D1Result, guard: D1Result): NoticeResult {
  const sent = (guard.results ?? []) as { space_id: string; user_id: string }[];
  const liveRows = (live.results ?? []) as CreatedNotification[];
  return {
    liveNotices: liveRows.length,
    reminders: sent.map((r) => ({ spaceId: r.space_id, userId: r.user_id })),
    created: [...liveRows, ...((inserted.results ?? []) as CreatedNotification[])],
  };
}

/** The host just started `spaceId`: followers hear it is live, reminder holders get their reminder now. */
export async function writeLiveNotices(db: Db, spaceId: string, now: number): Promise<NoticeResult> {
  const [live, inserted, guard] = await batch(db, [liveInserts(db, 0, spaceId), reminderInserts(db, now, spaceId), reminderGuard(db, now, spaceId)]);
  return result(live!, inserted!, guard!);
}

/**
 * The cron's sweep: every due reminder, and live notices for Spaces started in the last `liveWindowMs`
 * (a safety net for a start whose immediate announcement was lost). Overlapping sweeps are safe: whichever
 * transaction runs second finds nothing unsent, and live notices are deduplicated by key.
 */
export async function writeDueNotices(db: Db, now: number, liveWindowMs: number): Promise<NoticeResult> {
  const [live, inserted, guard] = await batch(db, [liveInserts(db, now - liveWindowMs, null), reminderInserts(db, now, null), reminderGuard(db, now, null)]);
  return result(live!, inserted!, guard!);
}

/**
 * Everyone who asked for a reminder or waits in its waitlist hears the Space was cancelled (even if the reminder
 * already went out), and unsent reminders are closed so nothing fires later. Only applies once the Space's state is
 * cancelled.
 */
export async function writeCancelNotices(db: Db, spaceId: string, now: number): Promise<CreatedNotification[]> {
  const [inserted] = await batch(db, [
    statement(db, sql`
      INSERT INTO notifications (id, user_id, kind, space_id, text, dedupe_key)
      SELECT ${NEW_ID}, r.user_id, 'space_cancelled', s.id,
        u.display_name || ' cancelled ' || s.title,
        'cancelled:' || s.id || ':' || r.user_id
      FROM (SELECT user_id FROM reminders WHERE space_id = ${spaceId}
        UNION SELECT user_id FROM waitlist_entries WHERE space_id = ${spaceId}) r
        JOIN spaces s ON s.id = ${spaceId} JOIN users u ON u.id = s.host_id
      WHERE s.state = 'cancelled'
      ON CONFLICT (dedupe_key) DO NOTHING
      RETURNING ${CREATED_COLUMNS}`),
    statement(db, sql`
      UPDATE reminders SET sent_at = ${now} WHERE space_id = ${spaceId} AND sent_at IS NULL
      AND EXISTS (SELECT 1 FROM spaces WHERE id = ${spaceId} AND state = 'cancelled')`),
  ]);
  return (inserted!.results ?? []) as CreatedNotification[];
}
