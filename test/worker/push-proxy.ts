// The test Worker's outbound fetch: requests to the push service's https origin go to the local plain-HTTP stand-in
// (TLS ends here, as a real push service's edge would); everything else passes through unchanged.
import { PUSH_SERVICE_ORIGIN } from "./push-service.ts";

const script = `
export default {
  fetch(request, env) {
    const url = new URL(request.url);
    if (url.origin !== env.PUSH_SERVICE_ORIGIN) return fetch(request);
    const target = new URL(url.pathname + url.search, env.PUSH_SERVICE_URL);
    return fetch(new Request(target, request));
  },
};`;

/** An auxiliary Miniflare worker; name it as the main worker's `outboundService`. */
export function pushProxyWorker(pushServiceUrl: string) {
  return {
    name: "push-proxy",
    modules: true,
    script,
    compatibilityDate: "2026-11-01",
    bindings: { PUSH_SERVICE_ORIGIN, PUSH_SERVICE_URL: pushServiceUrl },
  };
}
