// Web Push opt-in: GET /push/key (the VAPID public key), POST and DELETE /push/subscription (this browser).
import { Hono } from "hono";
import { z } from "zod";
import { deletePushSubscription, savePushSubscription } from "../db/push-subscriptions.ts";
import type { PushKeyResponse } from "../protocol/push.ts";
import { requireUserId, type AppEnv } from "./context.ts";
import { db } from "../db/client.ts";
import { ApiError } from "./errors.ts";
import { jsonBody } from "./validate.ts";

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Bytes a base64url string (no padding) decodes to; only called once the alphabet is checked. */
function decodedLength(text: string): number {
  return Math.floor((text.length * 3) / 4);
}

const endpointSchema = z
  .string()
  .max(2048, "at most 2048 characters")
  .refine((value) => {
    try {
      const url = new URL(value);
      // Push services are https on port 443 (RFC 8030; the URL parser drops a written :443); credentials in the
      // URL have no place in a push resource.
      return url.protocol === "https:" && url.port === "" && url.username === "" && url.password === "";
    } catch {
      return false;
    }
  }, "an https URL on port 443");

const subscriptionSchema = z.object({
  endpoint: endpointSchema,
  expirationTime: z.number().nullable().optional(),
  keys: z.object({
    p256dh: z
      .string()
      .regex(BASE64URL, "base64url")
      // An uncompressed P-256 point: 65 bytes, 87 characters unpadded.
      .refine((value) => decodedLength(value) === 65, "a 65-byte P-256 public key"),
    auth: z
      .string()
      .regex(BASE64URL, "base64url")
      .refine((value) => decodedLength(value) === 16, "a 16-byte auth secret"),
  }),
});

/** Only the browsers' push services get our POSTs, so a subscription cannot aim the Worker at any URL. */
function isKnownPushService(endpoint: string, allowedHosts: string): boolean {
  const host = new URL(endpoint).hostname;
  return allowedHosts
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .some((allowed) => host === allowed || host.endsWith(`.${allowed}`));
}

const unsubscribeSchema = z.object({ endpoint: endpointSchema });

export const pushRoutes = new Hono<AppEnv>()
  .get("/push/key", (c) => {
    if (!c.env.VAPID_PUBLIC_KEY || !c.env.VAPID_PRIVATE_KEY) {
      throw new ApiError(503, "push_unavailable", "Push notifications are not set up on this server.");
    }
    return c.json({ publicKey: c.env.VAPID_PUBLIC_KEY } satisfies PushKeyResponse);
  })
  .post("/push/subscription", jsonBody(subscriptionSchema), async (c) => {
    const userId = requireUserId(c);
    const { endpoint, keys } = c.req.valid("json");
    if (!isKnownPushService(endpoint, c.env.PUSH_SERVICE_HOSTS)) {
      throw new ApiError(400, "invalid_input", "The endpoint is not a known browser push service.", ["endpoint"]);
    }
    const saved = await savePushSubscription(db(c.env), { endpoint, userId, p256dh: keys.p256dh, auth: keys.auth });
    if (saved === "taken") {
      throw new ApiError(409, "push_endpoint_taken", "This browser's push subscription belongs to another account. Sign in as them to turn it off first.", ["endpoint"]);
    }
    console.log(JSON.stringify({ event: "push_subscribed", userId, pushService: new URL(endpoint).host }));
    return c.json({ subscribed: true }, 201);
  })
  .delete("/push/subscription", jsonBody(unsubscribeSchema), async (c) => {
    const userId = requireUserId(c);
    const { endpoint } = c.req.valid("json");
    const removed = await deletePushSubscription(db(c.env), userId, endpoint);
    if (removed) console.log(JSON.stringify({ event: "push_unsubscribed", userId, pushService: new URL(endpoint).host }));
    return c.json({ subscribed: false });
  });
