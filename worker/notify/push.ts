// Web Push for new notifications: each one goes, encrypted (RFC 8291) and VAPID-signed (RFC 8292), to every browser
// its person subscribed. Best effort by design: the notification is already stored, so a push failure is only logged.
import { buildPushPayload } from "@block65/webcrypto-web-push";
import type { CreatedNotification } from "../db/notifications.ts";
import type { NotificationKind } from "../db/schema.ts";
import { forgetPushEndpoint, subscriptionsOf, type StoredPushSubscription } from "../db/push-subscriptions.ts";
import { db } from "../db/client.ts";
import type { PushMessagePayload } from "../protocol/push.ts";
import { waitlistOfferMs } from "../settings.ts";

export type PushReport = { sent: number; gone: number; failed: number; skipped: number };

/** One invocation's share of a push fan-out; the rest is logged as skipped (the bell still shows them). */
export const MAX_PUSHES_PER_RUN = 500;
/** Workers allow six open connections per invocation; more would only queue inside the runtime. */
const PARALLEL_PUSHES = 6;
const PUSH_TIMEOUT_MS = 10_000;

type Delivery = { title: string; ttlSeconds: number; urgency: "high" | "normal" };

/** How long a push service may hold each kind for an offline browser, and how eagerly to wake it. */
export function deliveryFor(kind: NotificationKind, env: Pick<Env, "WAITLIST_OFFER_MINUTES">): Delivery {
  switch (kind) {
    case "space_live":
      return { title: "Live now", ttlSeconds: 60 * 60, urgency: "high" };
    case "space_reminder":
      return { title: "Starting now", ttlSeconds: 60 * 60, urgency: "high" };
    case "space_cancelled":
      return { title: "Space cancelled", ttlSeconds: 24 * 60 * 60, urgency: "normal" };
    case "ticket_refunded":
      return { title: "Ticket refunded", ttlSeconds: 7 * 24 * 60 * 60, urgency: "normal" };
    // The seat is held only for the offer window (a setting), so a push that arrives later than that is worthless.
    case "waitlist_offer":
      return { title: "A seat is yours", ttlSeconds: Math.max(1, Math.ceil(waitlistOfferMs(env) / 1000)), urgency: "high" };
    default: {
      const unknown: never = kind;
      throw new Error(`no push delivery for ${String(unknown)}`);
    }
  }
}

export function pushPayloadFor(notification: CreatedNotification, title: string): PushMessagePayload {
  return {
    title,
    body: notification.text,
    url: notification.spaceId ? `/spaces/${notification.spaceId}` : "/",
    tag: `${notification.kind}:${notification.spaceId ?? notification.id}`,
  };
}

type Outcome = "sent" | "gone" | "failed";

async function pushOne(env: Env, notification: CreatedNotification, sub: StoredPushSubscription): Promise<Outcome> {
  const pushService = new URL(sub.endpoint).host;
  try {
    const delivery = deliveryFor(notification.kind, env);
    const request = await buildPushPayload(
      { data: pushPayloadFor(notification, delivery.title), options: { ttl: delivery.ttlSeconds, urgency: delivery.urgency } },
      { endpoint: sub.endpoint, expirationTime: null, keys: { p256dh: sub.p256dh, auth: sub.auth } },
      { subject: env.VAPID_SUBJECT, publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY },
    );
    const response = await fetch(sub.endpoint, { ...request, signal: AbortSignal.timeout(PUSH_TIMEOUT_MS) });
    // The body is never needed; cancelling it frees the connection for the next push.
    await response.body?.cancel();
    if (response.status === 404 || response.status === 410) {
      await forgetPushEndpoint(db(env), sub.endpoint, sub.p256dh);
      console.log(JSON.stringify({ event: "push_subscription_gone", userId: sub.userId, pushService, status: response.status }));
      return "gone";
    }
    if (!response.ok) {
      console.log(JSON.stringify({ event: "push_rejected", userId: sub.userId, pushService, status: response.status }));
      return "failed";
    }
    return "sent";
  } catch (err) {
    // The endpoint is a capability URL, so only its host is logged.
    console.log(JSON.stringify({ event: "push_failed", userId: sub.userId, pushService, error: String(err) }));
    return "failed";
  }
}

/** Pushes each notification to its person's browsers. Never throws; returns counts for logs and tests. */
export async function pushNotifications(env: Env, created: CreatedNotification[]): Promise<PushReport> {
  const report: PushReport = { sent: 0, gone: 0, failed: 0, skipped: 0 };
  if (created.length === 0) return report;
  if (!env.VAPID_PUBLIC_KEY || !env.VAPID_PRIVATE_KEY || !env.VAPID_SUBJECT) {
    console.log(JSON.stringify({ event: "push_not_configured", notifications: created.length }));
    return report;
  }
  try {
    const subs = await subscriptionsOf(db(env), created.map((n) => n.userId));
    const byUser = new Map<string, StoredPushSubscription[]>();
    for (const sub of subs) byUser.set(sub.userId, [...(byUser.get(sub.userId) ?? []), sub]);
    const jobs = created.flatMap((n) => (byUser.get(n.userId) ?? []).map((sub) => () => pushOne(env, n, sub)));
    report.skipped = Math.max(0, jobs.length - MAX_PUSHES_PER_RUN);
    const queue = jobs.slice(0, MAX_PUSHES_PER_RUN);
    const worker = async () => {
      for (let job = queue.shift(); job; job = queue.shift()) report[await job()] += 1;
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_PUSHES, queue.length) }, worker));
  } catch (err) {
    console.log(JSON.stringify({ event: "push_batch_failed", notifications: created.length, error: String(err) }));
  }
  if (report.sent + report.gone + report.failed + report.skipped > 0) {
    console.log(JSON.stringify({ event: "push_batch_done", notifications: created.length, ...report }));
  }
  return report;
}
