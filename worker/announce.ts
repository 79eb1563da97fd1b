// Telling people about a Space: "X is live" for followers, reminders, cancellations. Called by routes and the cron.
// Every notice written here is also pushed to subscribed browsers, after the write and never failing it.
import { db } from "./db/client.ts";
import { writeCancelNotices, writeDueNotices, writeLiveNotices } from "./db/space-notices.ts";
import { deliverPushes } from "./notify/deliver.ts";

/** How far back the cron looks for started Spaces whose live announcement may have been lost. */
export const LIVE_ANNOUNCE_WINDOW_MS = 10 * 60 * 1000;

/**
 * The host started `spaceId`: call from the start route (in ctx.waitUntil). Never throws: a failure is logged and
 * the next cron run announces the start instead (it re-checks Spaces started in the last LIVE_ANNOUNCE_WINDOW_MS).
 */
export async function announceSpaceLive(env: Env, spaceId: string, now = Date.now()): Promise<void> {
  try {
    const sent = await writeLiveNotices(db(env), spaceId, now);
    console.log(
      JSON.stringify({ event: "space_live_announced", spaceId, liveNotices: sent.liveNotices, reminders: sent.reminders.length }),
    );
    await deliverPushes(env, sent.created);
  } catch (err) {
    console.log(JSON.stringify({ event: "space_live_announce_failed", spaceId, error: String(err) }));
  }
}

/** Every-minute sweep: due reminders exactly once, plus the live-announcement safety net. */
export async function sendDueNotices(env: Env, now: number): Promise<{ liveNotices: number; reminders: number }> {
  const sent = await writeDueNotices(db(env), now, LIVE_ANNOUNCE_WINDOW_MS);
  if (sent.liveNotices > 0 || sent.reminders.length > 0) {
    console.log(
      JSON.stringify({
        event: "due_notices_sent",
        liveNotices: sent.liveNotices,
        reminders: sent.reminders.length,
        spaces: [...new Set(sent.reminders.map((r) => r.spaceId))].length,
      }),
    );
  }
  await deliverPushes(env, sent.created);
  return { liveNotices: sent.liveNotices, reminders: sent.reminders.length };
}

/** The Space is now cancelled: reminder holders hear so. Pass the request's executionCtx to push after responding. */
export async function announceCancelled(
  env: Env,
  spaceId: string,
  now = Date.now(),
  background?: Pick<ExecutionContext, "waitUntil">,
): Promise<void> {
  const created = await writeCancelNotices(db(env), spaceId, now);
  console.log(JSON.stringify({ event: "space_cancel_announced", spaceId, notified: created.length }));
  await deliverPushes(env, created, background);
}
