// The every-minute Cron Trigger: sends due reminders (and the "X is live" safety net) without a request, and clears
// expired sessions.
import { sendDueNotices } from "./announce.ts";
import { db } from "./db/client.ts";
import { deleteExpiredSessions } from "./db/sessions.ts";

export async function runScheduled(env: Env, scheduledTime: number): Promise<void> {
  // The trigger's own minute, so a run is reproducible; anything due a few seconds later goes on the next run.
  const now = scheduledTime;
  try {
    await sendDueNotices(env, now);
    await deleteExpiredSessions(db(env), now);
  } catch (err) {
    console.log(JSON.stringify({ event: "cron_failed", at: new Date(now).toISOString(), error: String(err) }));
    throw err;
  }
}
