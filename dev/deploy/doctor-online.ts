// The online half of `npm run doctor`, run only with credentials at hand: does the Calls app answer its secret, is
// the Stripe key of the intended mode, is a webhook endpoint registered for our URL with the events we handle.
import type Stripe from "stripe";
import { createCallsClient } from "../../worker/calls/client.ts";
import { CONNECT_WEBHOOK_EVENTS, PLATFORM_WEBHOOK_EVENTS, STRIPE_WEBHOOK_PATH } from "../../worker/payments/webhook-events.ts";
import type { Finding } from "./doctor-checks.ts";
import type { StripeMode } from "./setup-state.ts";

/** Creates one session with no SDP: Calls answers with an id and lets it expire unused. */
export async function checkCallsApp(baseUrl: string, appId: string, appSecret: string): Promise<Finding> {
  const calls = createCallsClient({ baseUrl, appId, appSecret, timeoutMs: 10_000 });
  const created = await calls.newSession();
  if (created.ok) return { ok: true, what: `Calls app ${appId} answers (a session was created)` };
  if (created.status === 401 || created.status === 403) {
    return { ok: false, what: `Calls refused app ${appId} with its secret (${created.status} ${created.errorCode})`, fix: "copy the app id and secret again from the Realtime dashboard; npx wrangler secret put CALLS_APP_SECRET" };
  }
  return { ok: false, what: `Calls app ${appId} did not answer: ${created.errorDescription}`, fix: `check CALLS_API_BASE (${baseUrl}) and CALLS_APP_ID in wrangler.toml` };
}

type StripeGet = <T>(path: string) => Promise<{ status: number; body: T }>;

function stripeGet(apiBase: string, secretKey: string): StripeGet {
  return async <T,>(path: string) => {
    const response = await fetch(`${apiBase.replace(/\/+$/, "")}${path}`, { headers: { authorization: `Bearer ${secretKey}` }, signal: AbortSignal.timeout(10_000) });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as T };
  };
}

/** The key works and is of the intended mode; an enabled endpoint for `origin` takes every event we handle. */
export async function checkStripe(apiBase: string, secretKey: string, intended: StripeMode, origin: string | undefined): Promise<Finding[]> {
  const get = stripeGet(apiBase, secretKey);
  let balance: Awaited<ReturnType<StripeGet>>;
  try {
    balance = await get<Pick<Stripe.Balance, "livemode">>("/v1/balance");
  } catch (error) {
    return [{ ok: false, what: `Stripe did not answer at ${apiBase}: ${String(error)}`, fix: "check STRIPE_API_BASE in wrangler.toml" }];
  }
  if (balance.status !== 200) {
    return [{ ok: false, what: `Stripe refused STRIPE_SECRET_KEY (${balance.status})`, fix: "copy the secret key again from the Stripe dashboard (Developers → API keys)" }];
  }
  const livemode = (balance.body as Pick<Stripe.Balance, "livemode">).livemode;
  const mode: StripeMode = livemode ? "live" : "test";
  const findings: Finding[] = [
    mode === intended
      ? { ok: true, what: `Stripe key works, ${mode} mode as intended` }
      : { ok: false, what: `Stripe key is ${mode} mode, but this deployment is ${intended} mode`, fix: `set an sk_${intended}_… key, or run with --stripe-mode ${mode}` },
  ];
  if (!origin) {
    findings.push({ ok: false, what: "cannot check the Stripe webhook endpoint: the deployed URL is unknown", fix: "set APP_ORIGIN in wrangler.toml or run npm run setup:cloudflare" });
    return findings;
  }
  const url = `${origin.replace(/\/+$/, "")}${STRIPE_WEBHOOK_PATH}`;
  const listed = await get<{ data?: Pick<Stripe.WebhookEndpoint, "url" | "status" | "enabled_events">[] }>("/v1/webhook_endpoints?limit=100");
  const ours = (listed.body.data ?? []).filter((endpoint) => endpoint.url === url && endpoint.status === "enabled");
  const covered = new Set(ours.flatMap((endpoint) => endpoint.enabled_events));
  const wanted = [...PLATFORM_WEBHOOK_EVENTS, ...CONNECT_WEBHOOK_EVENTS];
  const missing = covered.has("*") ? [] : wanted.filter((event) => !covered.has(event));
  findings.push(
    listed.status !== 200
      ? { ok: false, what: `could not list Stripe webhook endpoints (${listed.status})`, fix: "use a key that may read webhook endpoints" }
      : missing.length === 0
        ? { ok: true, what: `Stripe sends ${wanted.join(", ")} to ${url}` }
        : { ok: false, what: `no enabled Stripe webhook endpoint at ${url} takes ${missing.join(", ")}`, fix: "add the endpoint in Stripe (Developers → Webhooks; account.updated on a Connect endpoint), then set its signing secret" },
  );
  return findings;
}
