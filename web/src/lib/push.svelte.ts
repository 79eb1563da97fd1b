// Web Push opt-in for this browser: what the toggle shows, and turning push on (permission, subscribe, tell the
// server) or off (tell the server, unsubscribe). One shared store, like the notification bell's.
import type { PushKeyResponse, PushSubscriptionBody } from "#protocol/push.ts";
import { api, ApiFailure, errorMessage } from "./api.ts";

/**
 * `unsupported`: no service worker / Push API here; `unavailable`: the server has no push keys;
 * `denied`: the person blocked notifications for this site; `off`/`on`: this browser's subscription.
 */
export type PushState = "checking" | "unsupported" | "unavailable" | "denied" | "off" | "on";

/** How long to wait for the service worker before saying push cannot start here. */
const WORKER_READY_MS = 10_000;

function pushSupported(): boolean {
  return typeof window !== "undefined" && "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(base64url.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

async function registration(): Promise<ServiceWorkerRegistration> {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error("service worker not ready")), WORKER_READY_MS),
  );
  return Promise.race([navigator.serviceWorker.ready, timeout]);
}

class PushSettings {
  state = $state<PushState>("checking");
  busy = $state(false);
  /** A sentence for people about the last attempt, or null. */
  message = $state<string | null>(null);

  /** Reads this browser's current state without asking for anything. */
  async check(): Promise<void> {
    if (!pushSupported()) {
      this.state = "unsupported";
      return;
    }
    if (Notification.permission === "denied") {
      this.state = "denied";
      return;
    }
    const existing = await navigator.serviceWorker.getRegistration();
    const subscription = await existing?.pushManager.getSubscription();
    this.state = subscription && Notification.permission === "granted" ? "on" : "off";
  }

  async turnOn(): Promise<void> {
    if (!pushSupported() || this.busy) return;
    this.busy = true;
    this.message = null;
    try {
      const permission = await Notification.requestPermission();
      if (permission === "denied") {
        this.state = "denied";
        return;
      }
      if (permission !== "granted") {
        this.message = "Push stays off: the browser's permission prompt was dismissed.";
        return;
      }
      const { publicKey } = await api.get<PushKeyResponse>("/push/key");
      const worker = await registration();
      const subscription = await worker.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
      try {
        await api.post("/push/subscription", subscription.toJSON() as PushSubscriptionBody);
      } catch (error) {
        // The server does not know this subscription, so keeping it would only look like push is on.
        await subscription.unsubscribe();
        throw error;
      }
      this.state = "on";
      this.message = "Push is on: you will be notified even when Spaces is closed.";
    } catch (error) {
      this.explain(error);
    } finally {
      this.busy = false;
    }
  }

  async turnOff(): Promise<void> {
    if (!pushSupported() || this.busy) return;
    this.busy = true;
    this.message = null;
    try {
      const subscription = await (await navigator.serviceWorker.getRegistration())?.pushManager.getSubscription();
      if (subscription) {
        await api.delete("/push/subscription", { endpoint: subscription.endpoint });
        await subscription.unsubscribe();
      }
      this.state = "off";
    } catch (error) {
      this.explain(error);
    } finally {
      this.busy = false;
    }
  }

  private explain(error: unknown): void {
    if (error instanceof ApiFailure) {
      if (error.code === "push_unavailable") this.state = "unavailable";
      this.message = errorMessage(error);
    } else if (error instanceof DOMException && error.name === "NotAllowedError") {
      this.state = Notification.permission === "denied" ? "denied" : this.state;
      this.message = "The browser did not allow push notifications for this site.";
    } else {
      // Chromium without a push service (or offline) rejects subscribe with an AbortError.
      this.message = "This browser could not reach its push service, so push stays off. The bell still shows everything.";
    }
  }
}

export const pushSettings = new PushSettings();
