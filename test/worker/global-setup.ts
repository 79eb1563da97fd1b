// Starts the local stand-ins (Calls SFU, fake Stripe, speech-to-text, an adapter endpoint recorder) once for all
// worker tests and hands their URLs to the Worker.
import type { TestProject } from "vitest/node";
import { startSfu } from "../../dev/sfu/server.ts";
import { startFakeStripe } from "../../dev/fake-stripe/server.ts";
import { pocketsphinxAvailable, startSttStandIn } from "../../dev/stt/server.ts";
import { startAdapterEndpoint } from "./adapter-endpoint.ts";
import { startPushService } from "./push-service.ts";
import { testSecrets } from "./secrets.ts";

declare module "vitest" {
  export interface ProvidedContext {
    callsApiBase: string;
    stripeApiBase: string;
    pushServiceUrl: string;
    /** The speech-to-text stand-in ("none" when pocketsphinx is not installed: captions are then unavailable). */
    sttWsUrl: string;
    /** Where the SFU's adapters dial in worker tests (a recorder: workerd has no address the SFU could reach). */
    adapterEndpointOrigin: string;
    adapterEndpointHttp: string;
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
  const stt = (await pocketsphinxAvailable()) ? await startSttStandIn({ port: 0 }) : null;
  if (stt) stops.push(() => stt.close());
  project.provide("sttWsUrl", stt?.url ?? "none");
  const adapterEndpoint = await startAdapterEndpoint();
  stops.push(() => adapterEndpoint.close());
  project.provide("adapterEndpointOrigin", adapterEndpoint.origin);
  project.provide("adapterEndpointHttp", adapterEndpoint.httpUrl);
  const push = await startPushService();
  stops.push(() => push.close());
  project.provide("pushServiceUrl", push.url);
  return async () => {
    for (const stop of stops) await stop();
  };
}
