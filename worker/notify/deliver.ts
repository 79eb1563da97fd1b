// The one way producers notify people: write the rows (deduplicated), then push the new ones to subscribed browsers.
// A push never delays or fails the write: it runs after it, in the background when a waitUntil is at hand.
import { notify, type CreatedNotification, type NewNotification } from "../db/notifications.ts";
import { db } from "../db/client.ts";
import { pushNotifications } from "./push.ts";

type Background = Pick<ExecutionContext, "waitUntil">;

/**
 * Pushes rows a producer just wrote. With `background` (a request's executionCtx) it returns at once and the
 * pushes finish after the response; without one (already inside waitUntil, e.g. the cron) it waits for them.
 */
export async function deliverPushes(env: Env, created: CreatedNotification[], background?: Background): Promise<void> {
  if (created.length === 0) return;
  const pushes = pushNotifications(env, created);
  if (background) background.waitUntil(pushes);
  else await pushes;
}

/** Writes notifications and pushes the ones that were new; returns those rows. */
export async function notifyAndPush(
  env: Env,
  items: NewNotification[],
  background?: Background,
): Promise<CreatedNotification[]> {
  const created = await notify(db(env), items);
  await deliverPushes(env, created, background);
  return created;
}
