// Shared steps for the scheduling, reminder and discovery tests: schedule a Space, start it, run the cron.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { announceSpaceLive } from "../../worker/announce.ts";
import worker from "../../worker/index.ts";
import type { Client } from "./helpers.ts";

export const MINUTE = 60_000;
export const inMinutes = (minutes: number) => new Date(Date.now() + minutes * MINUTE).toISOString();

export async function schedule(
  host: Client,
  title: string,
  minutesAhead = 60,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; scheduledFor: string }> {
  const res = await host.call("POST", "/api/spaces", { title, scheduledFor: inMinutes(minutesAhead), ...extra });
  if (res.status !== 201) throw new Error(`schedule failed: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json.space;
}

/** Puts a Space live the way the room's start route does (state, time), then announces it as that route does. */
export async function goLive(spaceId: string, listenerCount = 0): Promise<void> {
  await env.DB.prepare("UPDATE spaces SET state = 'live', started_at = ?, listener_count = ? WHERE id = ?")
    .bind(Date.now(), listenerCount, spaceId)
    .run();
  await announceSpaceLive(env, spaceId);
}

/** One Cron Trigger run through the Worker's own scheduled handler, at `at` (ms). */
export async function runCron(at = Date.now()): Promise<void> {
  const controller = createScheduledController({ scheduledTime: new Date(at), cron: "* * * * *" });
  const ctx = createExecutionContext();
  await worker.scheduled(controller, env, ctx);
  await waitOnExecutionContext(ctx);
}

export async function notificationsOf(user: Client): Promise<{ kind: string; spaceId: string; text: string; read: boolean; id: string }[]> {
  const res = await user.call("GET", "/api/notifications");
  if (res.status !== 200) throw new Error(`notifications failed: ${res.status}`);
  return res.json.notifications;
}

export async function reminderSentAt(spaceId: string, userId: string): Promise<number | null> {
  const row = await env.DB.prepare("SELECT sent_at FROM reminders WHERE space_id = ? AND user_id = ?")
    .bind(spaceId, userId)
    .first<{ sent_at: number | null }>();
  if (!row) throw new Error("no reminder row");
  return row.sent_at;
}
