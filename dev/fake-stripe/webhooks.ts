// Webhook events from the fake Stripe: Stripe's event envelope, the `Stripe-Signature` header
// (t=…,v1=HMAC-SHA256 of `${t}.${body}` with the endpoint secret) and delivery with Stripe-like retries.
import { createHmac } from "node:crypto";
import { API_VERSION, stripeId } from "./stripe-errors.ts";

export type StripeEvent = {
  id: string;
  object: "event";
  api_version: string;
  created: number;
  data: { object: unknown };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
  /** Set on events from a connected account, which Stripe sends to Connect endpoints. */
  account?: string;
};

export function buildEvent(type: string, object: unknown, connectedAccount?: string): StripeEvent {
  return {
    ...(connectedAccount ? { account: connectedAccount } : {}),
    id: stripeId("evt_"),
    object: "event",
    api_version: API_VERSION,
    created: Math.floor(Date.now() / 1000),
    // A snapshot: later changes to the object must not alter an event already built.
    data: { object: structuredClone(object) },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

export function signatureHeader(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const signature = createHmac("sha256", secret).update(`${timestamp}.${payload}`, "utf8").digest("hex");
  return `t=${timestamp},v1=${signature}`;
}

// Stripe retries for days with backoff; locally a few quick attempts show the same idempotency needs.
const RETRY_DELAYS_MS = [0, 1_000, 3_000, 10_000];

export class WebhookSender {
  readonly events: StripeEvent[] = [];
  private url: string | undefined;
  private readonly secret: string;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(url: string | undefined, secret: string) {
    this.url = url;
    this.secret = secret;
  }

  /** Records the event and delivers it; resolves after the first attempt (retries continue in the background). */
  async send(event: StripeEvent): Promise<boolean> {
    this.events.push(event);
    if (!this.url) return false;
    return this.attempt(event, 0);
  }

  private async attempt(event: StripeEvent, attemptIndex: number): Promise<boolean> {
    if (this.closed || !this.url) return false;
    const payload = JSON.stringify(event, null, 2);
    let status = 0;
    try {
      const response = await fetch(this.url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json; charset=utf-8",
          "Stripe-Signature": signatureHeader(payload, this.secret),
          "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        },
        body: payload,
        signal: AbortSignal.timeout(10_000),
      });
      status = response.status;
      await response.arrayBuffer();
    } catch {
      status = 0;
    }
    const delivered = status >= 200 && status < 300;
    console.log(JSON.stringify({ event: "fake_stripe_webhook", type: event.type, eventId: event.id, status, attempt: attemptIndex + 1 }));
    const delay = RETRY_DELAYS_MS[attemptIndex + 1];
    if (!delivered && delay !== undefined && !this.closed) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.attempt(event, attemptIndex + 1);
      }, delay);
      timer.unref();
      this.timers.add(timer);
    }
    return delivered;
  }

  /** Points delivery somewhere else, e.g. at a Worker whose port was chosen after the fake started. */
  setUrl(url: string | undefined): void {
    this.url = url;
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
