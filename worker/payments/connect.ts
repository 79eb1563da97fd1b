// Stripe Connect for hosts: an Express account per host, onboarding through account links, and the
// charges_enabled flag that decides whether ticket sales become destination charges to the host.
import { stripeClient } from "./stripe-client.ts";

type HostAccount = { stripeAccountId: string | null; stripeChargesEnabled: boolean };

export async function hostAccount(d1: D1Database, userId: string): Promise<HostAccount> {
  const row = await d1
    .prepare("SELECT stripe_account_id AS stripeAccountId, stripe_charges_enabled AS enabled FROM users WHERE id = ?1")
    .bind(userId)
    .first<{ stripeAccountId: string | null; enabled: number }>();
  return { stripeAccountId: row?.stripeAccountId ?? null, stripeChargesEnabled: Boolean(row?.enabled) };
}

/** Creates the host's account once (idempotency key per user) and returns a fresh onboarding link URL. */
export async function onboardingLink(env: Env, userId: string, origin: string): Promise<string> {
  const stripe = stripeClient(env);
  let { stripeAccountId } = await hostAccount(env.DB, userId);
  if (!stripeAccountId) {
    const account = await stripe.accounts.create({ type: "express", metadata: { userId } }, { idempotencyKey: `connect-account-${userId}` });
    // Two clicks at once get the same account from Stripe (same key); the guard keeps the first stored id.
    await env.DB.prepare("UPDATE users SET stripe_account_id = ?2 WHERE id = ?1 AND stripe_account_id IS NULL").bind(userId, account.id).run();
    stripeAccountId = (await hostAccount(env.DB, userId)).stripeAccountId!;
  }
  const link = await stripe.accountLinks.create({
    account: stripeAccountId,
    type: "account_onboarding",
    return_url: `${origin}/api/stripe/connect/return`,
    refresh_url: `${origin}/earnings?connect=refresh`,
  });
  return link.url;
}

/** Reads charges_enabled from Stripe (the return from onboarding may come before the account.updated webhook). */
export async function refreshConnectStatus(env: Env, userId: string): Promise<HostAccount> {
  const current = await hostAccount(env.DB, userId);
  if (!current.stripeAccountId) return current;
  const account = await stripeClient(env).accounts.retrieve(current.stripeAccountId);
  await env.DB.prepare("UPDATE users SET stripe_charges_enabled = ?2 WHERE id = ?1").bind(userId, account.charges_enabled ? 1 : 0).run();
  return { stripeAccountId: current.stripeAccountId, stripeChargesEnabled: account.charges_enabled };
}
