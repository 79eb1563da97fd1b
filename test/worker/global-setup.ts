// Starts the local stand-ins (Calls SFU, fake Stripe) once for all worker tests and hands their URLs to the Worker.
import type { TestProject } from "vitest/node";
import { startFakeStripe } from "../../dev/fake-stripe/server.ts";
import { testSecrets } from "./secrets.ts";

declare module "vitest" {
  export interface ProvidedContext {
    callsApiBase: string;
    stripeApiBase: string;
  }
}

export default async function setup(project: TestProject) {
  const stops: (() => Promise<void>)[] = [];
  project.provide("callsApiBase", "http://127.0.0.1:9/v1");
  // Worker tests sign their own webhook events, so the fake only records the ones it builds.
  const stripe = await startFakeStripe({ secretKey: testSecrets.STRIPE_SECRET_KEY, webhookSecret: testSecrets.STRIPE_WEBHOOK_SECRET });
  stops.push(() => stripe.close());
  project.provide("stripeApiBase", stripe.url);
  return async () => {
    for (const stop of stops) await stop();
  };
}
