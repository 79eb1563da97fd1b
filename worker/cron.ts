// The every-minute Cron Trigger: sends due reminders (and the "X is live" safety net) without a request.
import { sendDueNotices } from "./announce.ts";

export async function runScheduled(env: Env, scheduledTime: number): Promise<void> {
  // Wall-clock time, not the trigger's nominal minute: a late run must still see everything due by now.
  const now = Math.max(Date.now(), scheduledTime);
  try {
    await sendDueNotices(env, now);
  } catch (err) {
    console.log(JSON.stringify({ event: "cron_failed", at: new Date(now).toISOString(), error: String(err) }));
    throw err;
  }
}
