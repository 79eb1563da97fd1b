// Web Push shapes shared by the Worker, the web app and its service worker: the key, a subscription, a message.

/** `GET /api/push/key`: the server's VAPID public key (base64url P-256 point) for `pushManager.subscribe`. */
export type PushKeyResponse = { publicKey: string };

/** `POST /api/push/subscription` body: `PushSubscription.toJSON()` as the browser gives it. */
export type PushSubscriptionBody = {
  endpoint: string;
  expirationTime?: number | null;
  keys: { p256dh: string; auth: string };
};

/** `DELETE /api/push/subscription` body. */
export type PushUnsubscribeBody = { endpoint: string };

/** The decrypted payload of one push, read by the service worker to show a notification. */
export type PushMessagePayload = {
  title: string;
  body: string;
  /** Same-origin path to open on click, e.g. `/spaces/abc`. */
  url: string;
  /** Notifications with the same tag replace each other (one per Space and kind). */
  tag: string;
};
