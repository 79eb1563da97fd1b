// Starts the local stand-ins (Calls SFU, fake Stripe) once for all worker tests and hands their URLs to the Worker.
import type { TestProject } from "vitest/node";
import { startSfu } from "../../dev/sfu/server.ts";
import { startFakeStripe } from "../../dev/fake-stripe/server.ts";
import { startPushService } from "./push-service.ts";
import { testSecrets } from "./secrets.ts";

declare module "vitest" {
  export interface ProvidedContext {
    callsApiBase: string;
    stripeApiBase: string;
    pushServiceUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const stops: (() => Promise<void>)[] = [];
  const sfu = await startSfu({ appId: testSecrets.CALLS_APP_ID, appSecret: testSecrets.CALLS_APP_SECRET });
  stops.push(() => sfu.close());
  project.provide("callsApiBase", sfu.url);
  // Worker tests sign their own webhook events, so the fake only records the ones it builds.
  const stripe = await startFakeStripe({ secretKey: testSecrets.STRIPE_SECRET_KEY, webhookSecret: testSecrets.STRIPE_WEBHOOK_SECRET });
  stops.push(() => stripe.close());
  project.provide("stripeApiBase", stripe.url);
  const push = await startPushService();
  stops.push(() => push.close());
  project.provide("pushServiceUrl", push.url);
  return async () => {
    for (const stop of stops) await stop();
  };
}
