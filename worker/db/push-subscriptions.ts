// Web Push subscriptions: one row per browser endpoint, owned by the person who made it (nobody else can take it).
import { and, desc, eq, inArray, notInArray } from "drizzle-orm";
import type { Db } from "./client.ts";
import { pushSubscriptions } from "./schema.ts";

/** Browsers (endpoints) kept per person; older ones are dropped so one account cannot fan a push out without bound. */
export const MAX_SUBSCRIPTIONS_PER_USER = 10;

export type StoredPushSubscription = { endpoint: string; userId: string; p256dh: string; auth: string };

/**
 * Saves a subscription. A subscription belongs to the person who made it: the same person subscribing again (new
 * keys) updates their row, but an endpoint another person holds is left alone ("taken"), so knowing someone's
 * endpoint does not redirect their pushes. Returns "saved" or "taken".
 */
export async function savePushSubscription(db: Db, sub: StoredPushSubscription): Promise<"saved" | "taken"> {
  const written = await db
    .insert(pushSubscriptions)
    .values(sub)
    .onConflictDoUpdate({
      target: pushSubscriptions.endpoint,
      set: { p256dh: sub.p256dh, auth: sub.auth, createdAt: Date.now() },
      setWhere: eq(pushSubscriptions.userId, sub.userId),
    })
    .returning({ endpoint: pushSubscriptions.endpoint });
  if (written.length === 0) return "taken";
  await db.delete(pushSubscriptions).where(
    and(
      eq(pushSubscriptions.userId, sub.userId),
      notInArray(
        pushSubscriptions.endpoint,
        db
          .select({ endpoint: pushSubscriptions.endpoint })
          .from(pushSubscriptions)
          .where(eq(pushSubscriptions.userId, sub.userId))
          .orderBy(desc(pushSubscriptions.createdAt))
          .limit(MAX_SUBSCRIPTIONS_PER_USER),
      ),
    ),
  );
  return "saved";
}

/** Removes the caller's own subscription for this endpoint; returns whether one was there. */
export async function deletePushSubscription(db: Db, userId: string, endpoint: string): Promise<boolean> {
  const rows = await db
    .delete(pushSubscriptions)
    .where(and(eq(pushSubscriptions.endpoint, endpoint), eq(pushSubscriptions.userId, userId)))
    .returning({ endpoint: pushSubscriptions.endpoint });
  return rows.length > 0;
}

/** Every subscription of these people (one query per chunk, inside D1's bound-parameter limit). */
export async function subscriptionsOf(db: Db, userIds: string[]): Promise<StoredPushSubscription[]> {
  const unique = [...new Set(userIds)];
  const found: StoredPushSubscription[] = [];
  for (let i = 0; i < unique.length; i += 90) {
    const rows = await db
      .select({
        endpoint: pushSubscriptions.endpoint,
        userId: pushSubscriptions.userId,
        p256dh: pushSubscriptions.p256dh,
        auth: pushSubscriptions.auth,
      })
      .from(pushSubscriptions)
      .where(inArray(pushSubscriptions.userId, unique.slice(i, i + 90)));
    found.push(...rows);
  }
  return found;
}

/** The push service said this endpoint is gone (404/410): forget it, unless the browser re-subscribed meanwhile. */
export async function forgetPushEndpoint(db: Db, endpoint: string, p256dh: string): Promise<void> {
  await db
    .delete(pushSubscriptions)
    .where(and(eq(pushSubscriptions.endpoint, endpoint), eq(pushSubscriptions.p256dh, p256dh)));
}
