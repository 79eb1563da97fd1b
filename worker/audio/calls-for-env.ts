// The Calls client as the Worker and the SpaceRoom build it from env (CALLS_API_BASE, CALLS_APP_ID, CALLS_APP_SECRET).
import { createCallsClient, type CallsClient } from "../calls/client.ts";
import type { CallsCallObserver } from "../calls/types.ts";

/** True when an app id and secret are configured; without them the audio routes answer 503. */
export function callsConfigured(env: Env): boolean {
  return Boolean(env.CALLS_APP_ID && env.CALLS_APP_SECRET);
}

export function callsFor(env: Env, onCall?: CallsCallObserver): CallsClient {
  return createCallsClient({
    baseUrl: env.CALLS_API_BASE || undefined,
    appId: env.CALLS_APP_ID,
    appSecret: env.CALLS_APP_SECRET,
    onCall,
  });
}
