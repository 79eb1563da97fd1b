// The every-minute Cron Trigger: sends due reminders (and the "X is live" safety net) without a request, clears
// expired sessions, expires ticket holds and waitlist offers (their seats go to the next in line), and deletes
// recordings and clips past their retention.
import { sendDueNotices } from "./announce.ts";
import { db } from "./db/client.ts";
import { deleteExpiredSessions } from "./db/sessions.ts";
import { retentionDays, sweepRecordings } from "./media/recording/retention.ts";
import { sweepWaitlists } from "./payments/waitlist.ts";

export async function runScheduled(env: Env, scheduledTime: number): Promise<void> {
  // The trigger's own minute, so a run is reproducible; anything due a few seconds later goes on the next run.
  const now = scheduledTime;
  try {
    await sendDueNotices(env, now);
    await deleteExpiredSessions(db(env), now);
    await sweepWaitlists(env, now);
    const swept = await sweepRecordings(db(env), env.MEDIA, retentionDays(env.RECORDING_RETENTION_DAYS), now);
    if (swept.recordings + swept.clips > 0) console.log(JSON.stringify({ event: "recordings_retention", ...swept }));
  } catch (err) {
    console.log(JSON.stringify({ event: "cron_failed", at: new Date(now).toISOString(), error: String(err) }));
    throw err;
  }
}
