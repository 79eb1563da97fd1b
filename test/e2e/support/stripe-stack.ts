// The e2e setup for paid Spaces: the fake Stripe, a stack that calls it, and one Chromium for the file. The fake
// sends its signed events (checkout expiry, payment) to this stack's webhook; all three stop after the file's tests.
import { after, before } from "node:test";
import type { Browser } from "playwright-core";
import { launchChromium } from "../../../dev/browser/chromium.ts";
import { startFakeStripe, type RunningFakeStripe } from "../../../dev/fake-stripe/server.ts";
import { ensureLocalSecrets } from "../../../dev/stack.ts";
import { startTestStack, type Stack } from "./stack.ts";

/** `secretKey` is the fake's API key, for calls a test makes to the fake itself (e.g. expiring a checkout). */
export type StripeStackAndBrowser = { stack: Stack; stripe: RunningFakeStripe; browser: Browser; secretKey: string };

/** `vars` are extra Worker variables for the stack, beside STRIPE_API_BASE pointing at the fake. */
export function useStripeStackAndBrowser(vars: Record<string, string> = {}): StripeStackAndBrowser {
  const shared = {} as StripeStackAndBrowser;
  before(async () => {
    const secrets = ensureLocalSecrets();
    shared.secretKey = secrets.STRIPE_SECRET_KEY!;
    shared.stripe = await startFakeStripe({ secretKey: shared.secretKey, webhookSecret: secrets.STRIPE_WEBHOOK_SECRET! });
    shared.stack = await startTestStack({ ...vars, STRIPE_API_BASE: shared.stripe.url });
    // The Worker's port is known only now.
    shared.stripe.setWebhookUrl(`${shared.stack.url}/api/stripe/webhook`);
    shared.browser = await launchChromium();
  });
  after(async () => {
    await shared.browser?.close();
    await shared.stack?.stop();
    await shared.stripe?.close();
  });
  return shared;
}
