// Hosts' Stripe Connect accounts on their user rows: the account id (set once) and whether it may take charges.
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "./client.ts";
import { users } from "./schema.ts";

export type HostAccount = { stripeAccountId: string | null; stripeChargesEnabled: boolean };

export async function hostAccount(db: Db, userId: string): Promise<HostAccount> {
  const row = await db
    .select({ stripeAccountId: users.stripeAccountId, stripeChargesEnabled: users.stripeChargesEnabled })
    .from(users)
    .where(eq(users.id, userId))
    .get();
  return { stripeAccountId: row?.stripeAccountId ?? null, stripeChargesEnabled: row?.stripeChargesEnabled ?? false };
}

/** Stores the host's account id unless one is stored already: two racing onboardings keep the first. */
export async function setStripeAccountOnce(db: Db, userId: string, accountId: string): Promise<void> {
  await db.update(users).set({ stripeAccountId: accountId }).where(and(eq(users.id, userId), isNull(users.stripeAccountId)));
}

export async function setChargesEnabled(db: Db, userId: string, enabled: boolean): Promise<void> {
  await db.update(users).set({ stripeChargesEnabled: enabled }).where(eq(users.id, userId));
}

/** From Stripe's account.updated: the host is found by the account id. */
export async function setChargesEnabledForAccount(db: Db, accountId: string, enabled: boolean): Promise<void> {
  await db.update(users).set({ stripeChargesEnabled: enabled }).where(eq(users.stripeAccountId, accountId));
}
