// Whether this deployment can caption: it needs speech-to-text, the Calls API, and an origin the SFU can dial.
import { callsConfigured } from "../audio/calls-for-env.ts";
import { sttProviderFor } from "./stt/provider.ts";

/** The wss:// origin of our adapter endpoint (ADAPTER_ENDPOINT_ORIGIN, else APP_ORIGIN), or null. */
export function adapterEndpointOrigin(env: Env): string | null {
  const origin = env.ADAPTER_ENDPOINT_ORIGIN || env.APP_ORIGIN;
  if (!origin || !URL.canParse(origin)) return null;
  const url = new URL(origin);
  const secure = url.protocol === "https:" || url.protocol === "wss:";
  return `${secure ? "wss" : "ws"}://${url.host}`;
}

export function captionsAvailable(env: Env): boolean {
  return callsConfigured(env) && adapterEndpointOrigin(env) !== null && sttProviderFor(env) !== null;
}
