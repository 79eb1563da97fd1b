// A local stand-in for the subset of Stripe's API the app uses: form-encoded requests with a Bearer secret key,
// Stripe's error JSON, Idempotency-Key replay, hosted Checkout and Connect onboarding pages, signed webhooks.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseStripeForm, type FormObject } from "./form.ts";
import { checkoutPage, messagePage, onboardingPage } from "./pages.ts";
import { FakeStripeState, type CheckoutSession } from "./resources.ts";
import { API_VERSION, StripeApiError, stripeId } from "./stripe-errors.ts";
import { buildEvent, WebhookSender, type StripeEvent } from "./webhooks.ts";

export type FakeStripeOptions = {
  port?: number;
  /** Where signed events are posted; without it events are only recorded in `events`. */
  webhookUrl?: string;
  webhookSecret: string;
  secretKey: string;
  log?: boolean;
};

export type RunningFakeStripe = {
  url: string;
  port: number;
  /** Every event built so far, in order, whether or not it was delivered. */
  events: StripeEvent[];
  state: FakeStripeState;
  /** Pays an open session as the hosted page's button does; resolves after the first webhook attempt. */
  pay(sessionId: string, email?: string): Promise<CheckoutSession>;
  setWebhookUrl(url: string | undefined): void;
  close(): Promise<void>;
};

type Reply = { status: number; body: string; headers: Record<string, string> };

const json = (status: number, value: unknown): Reply => ({
  status,
  body: JSON.stringify(value),
  headers: { "Content-Type": "application/json", "Stripe-Version": API_VERSION, "Request-Id": stripeId("req_") },
});
// Hosted pages are never cached (as Stripe's are not): Back after paying must load the page again and see "already
// paid", not a restored copy with a live Pay button.
const html = (status: number, body: string): Reply => ({
  status,
  body,
  headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
});
const redirect = (location: string): Reply => ({ status: 303, body: "", headers: { Location: location } });

const MAX_BODY_BYTES = 256_000;

export async function startFakeStripe(options: FakeStripeOptions): Promise<RunningFakeStripe> {
  let baseUrl = "";
  const state = new FakeStripeState(() => baseUrl);
  const webhooks = new WebhookSender(options.webhookUrl, options.webhookSecret);
  // Stripe keeps idempotent results for 24 hours; the fake keeps them for its lifetime.
  const idempotent = new Map<string, { fingerprint: string; reply: Reply }>();

  function apiCall(method: string, path: string, params: FormObject): Reply {
    // `/v1/checkout/sessions/cs_1/expire` → "POST /checkout/sessions/:id/expire" with id "cs_1".
    const id = path.match(/^\/v1\/(?:checkout\/sessions|refunds|accounts)\/([A-Za-z0-9_]+)/)?.[1] ?? "";
    const route = `${method} ${id ? path.slice(3).replace(`/${id}`, "/:id") : path.slice(3)}`;
    switch (route) {
      case "POST /checkout/sessions":
        return json(200, state.createCheckoutSession(params));
      case "GET /checkout/sessions/:id":
        return json(200, state.session(id));
      case "POST /checkout/sessions/:id/expire": {
        const session = state.expireSession(id);
        void webhooks.send(buildEvent("checkout.session.expired", session));
        return json(200, session);
      }
      case "POST /refunds":
        return json(200, state.createRefund(params));
      case "GET /refunds/:id":
        return json(200, state.refund(id));
      case "POST /accounts":
        return json(200, state.connect.createAccount(params));
      case "GET /accounts/:id":
        return json(200, state.connect.account(id));
      case "POST /account_links":
        return json(200, state.connect.createAccountLink(params));
      default:
        throw new StripeApiError(404, "invalid_request_error", `Unrecognized request URL (${method}: ${path}). The local fake Stripe supports checkout sessions, refunds, accounts and account links.`);
    }
  }

  function api(request: IncomingMessage, path: string, rawBody: string): Reply {
    const key = apiKeyOf(request.headers.authorization ?? "");
    if (!key) {
      throw new StripeApiError(401, "invalid_request_error", "You did not provide an API key. Provide it in the Authorization header as a Bearer token.");
    }
    if (key !== options.secretKey) {
      throw new StripeApiError(401, "invalid_request_error", `Invalid API Key provided: ${key.slice(0, 8)}****`, "api_key_invalid");
    }
    const method = request.method ?? "GET";
    const params = method === "POST" ? parseStripeForm(rawBody) : parseStripeForm(new URL(request.url ?? "/", "http://x").search.slice(1));
    const idempotencyKey = method === "POST" ? request.headers["idempotency-key"] : undefined;
    if (typeof idempotencyKey !== "string") return apiCall(method, path, params);
    const fingerprint = `${method} ${path} ${rawBody}`;
    const seen = idempotent.get(idempotencyKey);
    if (seen) {
      if (seen.fingerprint !== fingerprint) {
        throw new StripeApiError(400, "idempotency_error", `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`);
      }
      return { ...seen.reply, headers: { ...seen.reply.headers, "Idempotent-Replayed": "true" } };
    }
    let reply: Reply;
    try {
      reply = apiCall(method, path, params);
    } catch (error) {
      if (!(error instanceof StripeApiError)) throw error;
      reply = json(error.status, error.toBody());
    }
    // Stripe saves the result of the first execution, errors included (except 5xx), and replays it.
    idempotent.set(idempotencyKey, { fingerprint, reply });
    return reply;
  }

  async function pay(sessionId: string, email?: string): Promise<CheckoutSession> {
    const session = state.completeSession(sessionId, email ?? null);
    await webhooks.send(buildEvent("checkout.session.completed", session));
    return session;
  }

  async function route(request: IncomingMessage, rawBody: string): Promise<Reply> {
    const method = request.method ?? "GET";
    const path = new URL(request.url ?? "/", "http://fake-stripe.local").pathname;
    if (path.startsWith("/v1/")) return api(request, path, rawBody);
    const checkout = path.match(/^\/checkout\/(cs_test_[A-Za-z0-9]+)(\/pay)?$/);
    if (checkout) {
      const session = state.session(checkout[1]!);
      const name = state.lineItemNames.get(session.id) ?? "Purchase";
      if (method === "GET" && !checkout[2]) return html(200, checkoutPage(session, name));
      if (method === "POST" && checkout[2]) {
        if (session.status !== "open") return html(409, checkoutPage(session, name));
        const email = new URLSearchParams(rawBody).get("email") ?? undefined;
        await pay(session.id, email);
        return redirect((session.success_url ?? "/").replace("{CHECKOUT_SESSION_ID}", session.id));
      }
    }
    const onboarding = path.match(/^\/connect\/onboarding\/(acctlink_[A-Za-z0-9]+)(\/complete)?$/);
    if (onboarding) {
      const link = state.connect.accountLinks.get(onboarding[1]!);
      if (!link) return html(404, messagePage("Link expired", "This onboarding link is not valid any more."));
      if (method === "GET" && !onboarding[2]) return html(200, onboardingPage(link.id, state.connect.account(link.account).email));
      if (method === "POST" && onboarding[2]) {
        const { account, returnUrl } = state.connect.completeOnboarding(link.id);
        await webhooks.send(buildEvent("account.updated", account, account.id));
        return redirect(returnUrl);
      }
    }
    return html(404, messagePage("Not found", `Nothing at ${method} ${path}.`));
  }

  const server = createServer((request, response) => {
    readBody(request)
      .then((rawBody) => route(request, rawBody))
      .catch((error: unknown) => {
        if (error instanceof StripeApiError) return json(error.status, error.toBody());
        console.log(JSON.stringify({ event: "fake_stripe_error", error: String(error) }));
        return json(500, { error: { type: "api_error", message: "The local fake Stripe failed on this request." } });
      })
      .then((reply) => {
        send(response, reply);
        if (options.log) console.log(JSON.stringify({ event: "fake_stripe_request", method: request.method, path: request.url?.split("?")[0], status: reply.status }));
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  // Stripe expires open sessions on its own at expires_at and sends checkout.session.expired.
  const sweep = setInterval(() => {
    for (const id of state.dueExpiries()) void webhooks.send(buildEvent("checkout.session.expired", state.expireSession(id)));
  }, 1_000);
  sweep.unref();

  return {
    url: baseUrl,
    port,
    events: webhooks.events,
    state,
    pay,
    setWebhookUrl: (url) => webhooks.setUrl(url),
    async close() {
      clearInterval(sweep);
      webhooks.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Stripe takes the secret key as a Bearer token or as the Basic-auth user name (curl -u sk_…:). */
function apiKeyOf(header: string): string | null {
  if (header.startsWith("Bearer ")) return header.slice(7) || null;
  if (header.startsWith("Basic ")) return Buffer.from(header.slice(6), "base64").toString("utf8").split(":")[0] || null;
  return null;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new StripeApiError(413, "invalid_request_error", "Request body too large."));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function send(response: ServerResponse, reply: Reply): void {
  response.writeHead(reply.status, { ...reply.headers, "Content-Length": Buffer.byteLength(reply.body) });
  response.end(reply.body);
}
