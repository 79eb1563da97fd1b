// Stripe signs each webhook endpoint with its own secret, and Connect events arrive at a second endpoint: the Worker
// accepts a body signed with any secret listed in STRIPE_WEBHOOK_SECRET and refuses every other signature.
import { describe, expect, it } from "vitest";
import { signatureHeader } from "../../dev/fake-stripe/webhooks.ts";
import { verifyStripeEvent } from "../../worker/payments/webhook.ts";
import { DomainError } from "../../worker/protocol/errors.ts";

const body = JSON.stringify({ id: "evt_1", object: "event", type: "account.updated", account: "acct_1", data: { object: { id: "acct_1", object: "account" } } });
const env = { STRIPE_WEBHOOK_SECRET: "whsec_platform, whsec_connect" } as Env;

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "accepted";
  } catch (error) {
    return error instanceof DomainError ? error.code : String(error);
  }
}

describe("webhook signing secrets", () => {
  it("accepts a body signed by either endpoint's secret", async () => {
    expect((await verifyStripeEvent(env, body, signatureHeader(body, "whsec_platform"))).id).toBe("evt_1");
    expect((await verifyStripeEvent(env, body, signatureHeader(body, "whsec_connect"))).type).toBe("account.updated");
  });

  it("refuses a signature by any other secret, a tampered body and a missing header", async () => {
    expect(await refusal(verifyStripeEvent(env, body, signatureHeader(body, "whsec_other")))).toBe("bad_signature");
    expect(await refusal(verifyStripeEvent(env, body.replace("acct_1", "acct_2"), signatureHeader(body, "whsec_connect")))).toBe("bad_signature");
    expect(await refusal(verifyStripeEvent(env, body, undefined))).toBe("missing_signature");
  });
});
