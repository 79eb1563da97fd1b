// Stripe Connect for hosts: an Express account per host, onboarding through account links, and the
// charges_enabled flag that decides whether ticket sales become destination charges to the host.
import { db } from "../db/client.ts";
import { hostAccount, setChargesEnabled, setStripeAccountOnce, type HostAccount } from "../db/host-accounts.ts";
import { stripeClient } from "./stripe-client.ts";

/** Creates the host's account once (idempotency key per user) and returns a fresh onboarding link URL. */
export async function onboardingLink(env: Env, userId: string, origin: string): Promise<string> {
  const stripe = stripeClient(env);
  let { stripeAccountId } = await hostAccount(db(env), userId);
  if (!stripeAccountId) {
    const account = await stripe.accounts.create({ type: "express", metadata: { userId } }, { idempotencyKey: `connect-account-${userId}` });
    // Two clicks at once get the same account from Stripe (same key); the guard keeps the first stored id.
    await setStripeAccountOnce(db(env), userId, account.id);
    stripeAccountId = (await hostAccount(db(env), userId)).stripeAccountId!;
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
  const current = await hostAccount(db(env), userId);
  if (!current.stripeAccountId) return current;
  const account = await stripeClient(env).accounts.retrieve(current.stripeAccountId);
  await setChargesEnabled(db(env), userId, account.charges_enabled);
  return { stripeAccountId: current.stripeAccountId, stripeChargesEnabled: account.charges_enabled };
}
