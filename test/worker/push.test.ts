// Web Push in workerd: opting in and out, and real pushes (live, reminder, cancellation, a waitlist's held seat) to a
// local HTTPS push service that the test decrypts with the subscription's private key (RFC 8291) and whose VAPID
// signature it checks (RFC 8292).
import { Buffer } from "node:buffer";
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, inject, it, vi } from "vitest";
import { notifyAndPush } from "../../worker/notify/deliver.ts";
import { deliveryFor } from "../../worker/notify/push.ts";
import { host, signup, type Client } from "./helpers.ts";
import { decryptPush, newSubscriptionKeys, verifyVapid, type SubscriptionKeys } from "./push-crypto.ts";
import { PUSH_SERVICE_ORIGIN, type ReceivedPush } from "./push-service.ts";
import { testSecrets } from "./secrets.ts";
import { goLive, MINUTE, runCron, schedule } from "./spaces-support.ts";
import { deliver, eventFor, expire } from "./ticket-helpers.ts";
import { holdAllSeats, line, scheduledTicketedSpace } from "./waitlist-helpers.ts";

const pushService = inject("pushServiceUrl");

type Browser = { endpoint: string; id: string; keys: SubscriptionKeys };

/** A browser that subscribed `user` to push; `prefix` picks how the push service will answer (see push-service.ts). */
async function subscribe(user: Client, prefix = "ok-"): Promise<Browser> {
  const id = `${prefix}${crypto.randomUUID()}`;
  const keys = await newSubscriptionKeys();
  const endpoint = `${PUSH_SERVICE_ORIGIN}/push/${id}`;
  const res = await user.call("POST", "/api/push/subscription", {
    endpoint,
    expirationTime: null,
    keys: { p256dh: keys.p256dh, auth: keys.authText },
  });
  expect(res.status).toBe(201);
  return { endpoint, id, keys };
}

async function received(browser: Browser): Promise<ReceivedPush[]> {
  return (await fetch(`${pushService}/received/${browser.id}`)).json();
}

/** Waits for pushes sent after a response (waitUntil) to reach the push service. */
const eventually = (browser: Browser, count: number): Promise<ReceivedPush[]> =>
  vi.waitFor(
    async () => {
      const pushes = await received(browser);
      expect(pushes.length, `pushes for ${browser.id}`).toBeGreaterThanOrEqual(count);
      return pushes;
    },
    { timeout: 5000, interval: 100 },
  );

async function open(push: ReceivedPush, browser: Browser) {
  const { text, recordSize } = await decryptPush(new Uint8Array(Buffer.from(push.body, "base64")), browser.keys);
  return { message: JSON.parse(text), recordSize };
}

async function storedEndpoints(userId: string): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT endpoint FROM push_subscriptions WHERE user_id = ? ORDER BY endpoint")
    .bind(userId)
    .all<{ endpoint: string }>();
  return results.map((r) => r.endpoint);
}

describe("push opt-in API", () => {
  it("gives the VAPID public key to anyone", async () => {
    const anonymous = (await signup()) as Client;
    anonymous.cookie = "";
    const res = await anonymous.call("GET", "/api/push/key");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ publicKey: testSecrets.VAPID_PUBLIC_KEY });
  });

  it("rejects subscriptions that are not a browser's PushSubscription, in the contract's error shape", async () => {
    const fan = await signup();
    const keys = await newSubscriptionKeys();
    const good = { endpoint: `${PUSH_SERVICE_ORIGIN}/push/x`, keys: { p256dh: keys.p256dh, auth: keys.authText } };
    const cases: [unknown, string][] = [
      [{ ...good, endpoint: "http://push.example/abc" }, "endpoint"],
      [{ ...good, endpoint: `https://push.example/${"a".repeat(2048)}` }, "endpoint"],
      [{ ...good, endpoint: "not a url" }, "endpoint"],
      // https, but not a push service: the Worker must not be aimed at arbitrary hosts.
      [{ ...good, endpoint: "https://internal.example/hook" }, "endpoint"],
      [{ ...good, keys: { ...good.keys, p256dh: `${keys.p256dh.slice(0, -1)}+` } }, "keys.p256dh"],
      [{ ...good, keys: { ...good.keys, p256dh: keys.p256dh.slice(0, 40) } }, "keys.p256dh"],
      [{ ...good, keys: { ...good.keys, auth: "AAAA" } }, "keys.auth"],
      [{ endpoint: good.endpoint }, "keys"],
    ];
    for (const [body, field] of cases) {
      const res = await fan.call("POST", "/api/push/subscription", body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.json.error.code).toBe("invalid_input");
      expect(res.json.error.fields).toContain(field);
      expect(typeof res.json.error.message).toBe("string");
    }
    const malformed = await fan.call("POST", "/api/push/subscription", "{not json");
    expect(malformed.json.error.code).toBe("invalid_json");
    expect(await storedEndpoints(fan.id)).toEqual([]);

    fan.cookie = "";
    const anonymous = await fan.call("POST", "/api/push/subscription", good);
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.error.code).toBe("unauthorized");
  });

  it("subscribes, refuses another person's endpoint (409, no takeover), and unsubscribes only your own", async () => {
    const ana = await signup();
    const ben = await signup();
    const browser = await subscribe(ana);
    expect(await storedEndpoints(ana.id)).toEqual([browser.endpoint]);
    // Ben posts Ana's endpoint (her browser, or a copied one): it stays hers.
    const taken = await ben.call("POST", "/api/push/subscription", {
      endpoint: browser.endpoint,
      keys: { p256dh: browser.keys.p256dh, auth: browser.keys.authText },
    });
    expect(taken.status).toBe(409);
    expect(taken.json.error.code).toBe("push_endpoint_taken");
    expect(await storedEndpoints(ana.id)).toEqual([browser.endpoint]);
    expect(await storedEndpoints(ben.id)).toEqual([]);
    // Ana re-subscribing the same endpoint (new keys) still updates her own row.
    expect((await ana.call("POST", "/api/push/subscription", { endpoint: browser.endpoint, keys: { p256dh: browser.keys.p256dh, auth: browser.keys.authText } })).status).toBe(201);
    expect((await ben.call("DELETE", "/api/push/subscription", { endpoint: browser.endpoint })).json).toEqual({ subscribed: false });
    expect(await storedEndpoints(ana.id)).toEqual([browser.endpoint]);
    // Once Ana turns it off, Ben may subscribe that browser.
    expect((await ana.call("DELETE", "/api/push/subscription", { endpoint: browser.endpoint })).status).toBe(200);
    expect(
      (await ben.call("POST", "/api/push/subscription", { endpoint: browser.endpoint, keys: { p256dh: browser.keys.p256dh, auth: browser.keys.authText } })).status,
    ).toBe(201);
    expect(await storedEndpoints(ben.id)).toEqual([browser.endpoint]);
    expect((await ben.call("DELETE", "/api/push/subscription", { endpoint: "ftp://x" })).status).toBe(400);
  });

  it("accepts push services on port 443 only", async () => {
    const ana = await signup();
    const keys = await newSubscriptionKeys();
    const at = (endpoint: string) => ana.call("POST", "/api/push/subscription", { endpoint, keys: { p256dh: keys.p256dh, auth: keys.authText } });
    const other = await at(`${PUSH_SERVICE_ORIGIN}:8443/push/p`);
    expect(other.status).toBe(400);
    expect(other.json.error.fields).toEqual(["endpoint"]);
    expect((await at(`${PUSH_SERVICE_ORIGIN}:443/push/p443`)).status).toBe(201);
  });
});

describe("push delivery", () => {
  it("a follower's browser gets the 'is live' push, VAPID-signed and aes128gcm-encrypted for that browser only", async () => {
    const h = await host();
    const fan = await signup();
    expect((await fan.call("POST", `/api/users/${h.handle}/follow`)).status).toBeLessThan(300);
    const browser = await subscribe(fan);
    const space = await schedule(h, "Push launch party");
    await goLive(space.id);

    const [push, ...more] = await eventually(browser, 1);
    expect(more).toEqual([]);
    expect(push!.headers["content-encoding"]).toBe("aes128gcm");
    expect(push!.headers["ttl"]).toBe("3600");
    expect(push!.headers["urgency"]).toBe("high");
    const claims = await verifyVapid(push!.headers["authorization"]!, testSecrets.VAPID_PUBLIC_KEY, PUSH_SERVICE_ORIGIN);
    expect(claims.sub).toBe(env.VAPID_SUBJECT);
    expect(claims.exp! * 1000).toBeGreaterThan(Date.now());
    expect(claims.exp! * 1000).toBeLessThanOrEqual(Date.now() + 24 * 60 * MINUTE);

    const { message, recordSize } = await open(push!, browser);
    expect(recordSize).toBe(4096);
    expect(message).toEqual({
      title: "Live now",
      body: expect.stringContaining("Push launch party"),
      url: `/spaces/${space.id}`,
      tag: `space_live:${space.id}`,
    });
    // Another browser's keys cannot read it.
    await expect(decryptPush(new Uint8Array(Buffer.from(push!.body, "base64")), await newSubscriptionKeys())).rejects.toThrow();
  });

  it("the cron's reminder is pushed; 404/410 answers remove the subscription, other failures keep it and the notification", async () => {
    const h = await host();
    const fan = await signup();
    const space = await schedule(h, "Reminder by push", 20);
    await fan.call("POST", `/api/spaces/${space.id}/reminder`);
    const healthy = await subscribe(fan);
    const gone = await subscribe(fan, "gone-");
    const missing = await subscribe(fan, "missing-");
    const broken = await subscribe(fan, "broken-");
    // A key of the right length that is not a point on P-256: encryption fails for this browser only.
    const badKey = await subscribe(fan);
    await env.DB.prepare("UPDATE push_subscriptions SET p256dh = ? WHERE endpoint = ?")
      .bind(Buffer.alloc(65, 7).toString("base64url"), badKey.endpoint)
      .run();

    await runCron(Date.parse(space.scheduledFor) + MINUTE);
    const { message } = await open((await eventually(healthy, 1))[0]!, healthy);
    expect(message).toMatchObject({ title: "Starting now", url: `/spaces/${space.id}`, body: expect.stringContaining("Reminder by push") });
    for (const browser of [gone, missing, broken]) expect(await received(browser)).toHaveLength(1);
    expect(await received(badKey)).toEqual([]);
    expect(await storedEndpoints(fan.id)).toEqual([healthy.endpoint, broken.endpoint, badKey.endpoint].sort());
    const notes = await fan.call("GET", "/api/notifications");
    expect(notes.json.notifications.map((n: { kind: string }) => n.kind)).toEqual(["space_reminder"]);

    // A second sweep finds nothing new, so nothing is pushed again.
    await runCron(Date.parse(space.scheduledFor) + 2 * MINUTE);
    expect(await received(healthy)).toHaveLength(1);
  });

  it("a cancellation is pushed after the response, to reminder holders", async () => {
    const h = await host();
    const fan = await signup();
    const space = await schedule(h, "Cancelled by push");
    await fan.call("POST", `/api/spaces/${space.id}/reminder`);
    const browser = await subscribe(fan);
    expect((await h.call("POST", `/api/spaces/${space.id}/cancel`)).status).toBe(200);
    const [push] = await eventually(browser, 1);
    expect((await open(push!, browser)).message).toMatchObject({ title: "Space cancelled", tag: `space_cancelled:${space.id}` });
    expect(push!.headers["urgency"]).toBe("normal");
  });

  it("a seat freed for the first in a waitlist is pushed to them, urgently, and to nobody else in line", async () => {
    const { space } = await scheduledTicketedSpace(1);
    const [holder] = await holdAllSeats(space.id, 1);
    const [first, second] = await line(space.id, 2);
    const [firstBrowser, secondBrowser] = [await subscribe(first!), await subscribe(second!)];
    expect((await deliver(eventFor("checkout.session.expired", await expire(holder!.url)))).json.outcome).toBe("seat_released");
    const [push] = await eventually(firstBrowser, 1);
    expect((await open(push!, firstBrowser)).message).toMatchObject({
      title: "A seat is yours",
      url: `/spaces/${space.id}`,
      body: expect.stringContaining("is held for you"),
    });
    expect(push!.headers["urgency"]).toBe("high");
    // A push service holds the offer no longer than the seat is held for: WAITLIST_OFFER_MINUTES.
    expect(push!.headers["ttl"]).toBe(String(Number(env.WAITLIST_OFFER_MINUTES) * 60));
    expect(await received(secondBrowser)).toEqual([]);
  });

  it("an offer's push lives as long as the offer setting says, fractions of a minute included", () => {
    expect(deliveryFor("waitlist_offer", { WAITLIST_OFFER_MINUTES: "2" }).ttlSeconds).toBe(120);
    expect(deliveryFor("waitlist_offer", { WAITLIST_OFFER_MINUTES: "0.5" }).ttlSeconds).toBe(30);
    expect(deliveryFor("space_live", { WAITLIST_OFFER_MINUTES: "2" }).ttlSeconds).toBe(3600);
  });

  it("notifyAndPush pushes only notifications that are new", async () => {
    const fan = await signup();
    const browser = await subscribe(fan);
    const item = { userId: fan.id, kind: "ticket_refunded" as const, spaceId: null, text: "Your ticket was refunded.", dedupeKey: `t:${browser.id}` };
    const ctx = createExecutionContext();
    expect(await notifyAndPush(env, [item], ctx)).toHaveLength(1);
    await waitOnExecutionContext(ctx);
    expect(await notifyAndPush(env, [item])).toEqual([]);
    const pushes = await received(browser);
    expect(pushes).toHaveLength(1);
    expect((await open(pushes[0]!, browser)).message).toMatchObject({ title: "Ticket refunded", body: "Your ticket was refunded.", url: "/" });
    expect(pushes[0]!.headers["ttl"]).toBe(String(7 * 24 * 3600));
  });
});
