// The notification store: unread count polled while the app is open and visible, the list loaded on demand.
import type { NotificationsResponse, NotificationView } from "#protocol/discovery.ts";
import { api, errorMessage } from "./api.ts";

/** How often the bell refreshes while the tab is visible; a hidden tab does not poll. */
export const POLL_MS = 10_000;

class Notifications {
  unreadCount = $state(0);
  items = $state<NotificationView[]>([]);
  error = $state<string | null>(null);
  private timer: ReturnType<typeof setInterval> | null = null;

  async refresh(): Promise<void> {
    try {
      const result = await api.get<NotificationsResponse>("/notifications?limit=20");
      this.items = result.notifications;
      this.unreadCount = result.unreadCount;
      this.error = null;
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  async markAllRead(): Promise<void> {
    try {
      this.unreadCount = (await api.post<{ unreadCount: number }>("/notifications/read", {})).unreadCount;
      this.items = this.items.map((n) => ({ ...n, read: true }));
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  /** Polls until stopped; returns the stop function (for an $effect's cleanup). */
  start(): () => void {
    this.stop();
    const tick = () => {
      if (document.visibilityState === "visible") void this.refresh();
    };
    tick();
    this.timer = setInterval(tick, POLL_MS);
    document.addEventListener("visibilitychange", tick);
    return () => {
      this.stop();
      document.removeEventListener("visibilitychange", tick);
    };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  clear(): void {
    this.stop();
    this.items = [];
    this.unreadCount = 0;
  }
}

export const notifications = new Notifications();
