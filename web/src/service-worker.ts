// The service worker: shows Web Push notifications and opens (or focuses) the Space they are about on click, and
// keeps an offline shell (offline-shell.ts): pages and the API come from the network first, the cache is only the
// fallback. Type-checked on its own with the WebWorker lib: web/tsconfig.service-worker.json.
import type { PushMessagePayload, PushSubscriptionBody } from "#protocol/push.ts";
import { cacheShell, dropOldCaches, respondOfflineFirst } from "./offline-shell.ts";

const sw = self as unknown as ServiceWorkerGlobalScope;

/** Reads the pushed JSON; anything unreadable still shows a generic notice, as browsers require for every push. */
function payloadOf(data: PushMessageData | null): PushMessagePayload {
  try {
    const parsed = data?.json() as Partial<PushMessagePayload> | undefined;
    if (parsed && typeof parsed.title === "string" && typeof parsed.body === "string") {
      return { title: parsed.title, body: parsed.body, url: parsed.url ?? "/", tag: parsed.tag ?? "spaces" };
    }
  } catch {
    // fall through to the generic notice
  }
  return { title: "Spaces", body: "You have a new notification.", url: "/", tag: "spaces" };
}

/** Only paths on this site are opened, whatever a payload says. */
function sameOriginUrl(url: unknown): URL {
  const target = new URL(typeof url === "string" ? url : "/", sw.location.origin);
  return target.origin === sw.location.origin ? target : new URL("/", sw.location.origin);
}

sw.addEventListener("install", (event) => {
  // A failed precache (offline during install) must not block push: the shell is cached on the next install.
  event.waitUntil(cacheShell().catch(() => undefined).then(() => sw.skipWaiting()));
});

sw.addEventListener("activate", (event) => {
  event.waitUntil(dropOldCaches().then(() => sw.clients.claim()));
});

sw.addEventListener("fetch", (event) => {
  const response = respondOfflineFirst(event.request, sw.location.origin);
  if (response) event.respondWith(response);
});

sw.addEventListener("push", (event) => {
  const payload = payloadOf(event.data);
  event.waitUntil(
    sw.registration.showNotification(payload.title, {
      body: payload.body,
      tag: payload.tag,
      icon: "/icons/icon-192.png",
      data: { url: payload.url },
    }),
  );
});

sw.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = sameOriginUrl((event.notification.data as { url?: unknown } | null)?.url);
  event.waitUntil(
    (async () => {
      const windows = await sw.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = windows.find((client) => new URL(client.url).pathname === target.pathname);
      if (open) {
        await open.focus();
        return;
      }
      await sw.clients.openWindow(target.href);
    })(),
  );
});

/** The push service rotated this browser's subscription: tell the server the new one (the session cookie rides along). */
sw.addEventListener("pushsubscriptionchange", (event) => {
  const change = event as Event & { oldSubscription?: PushSubscription | null; newSubscription?: PushSubscription | null };
  const fresh = change.newSubscription?.toJSON() as PushSubscriptionBody | undefined;
  const send = (method: string, body: unknown) =>
    fetch("/api/push/subscription", {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  const work = (async () => {
    if (change.oldSubscription) await send("DELETE", { endpoint: change.oldSubscription.endpoint });
    if (fresh?.endpoint) await send("POST", fresh);
  })().catch(() => undefined);
  (event as ExtendableEvent).waitUntil(work);
});
