// JSON shapes for notifications, the home page and the calendar URL; built by the Worker, read by the web app.
import type { PublicUser, SpaceView } from "./api.ts";

export type NotificationKind = "space_live" | "space_reminder" | "space_cancelled" | "ticket_refunded" | "waitlist_offer";

export type NotificationView = {
  id: string;
  kind: NotificationKind;
  spaceId: string | null;
  text: string;
  read: boolean;
  /** ISO 8601 UTC. */
  createdAt: string;
};

export type NotificationsResponse = { notifications: NotificationView[]; unreadCount: number };

/** One avatar in the home ring row; `live` is set while that person hosts a live Space. */
export type RingPerson = PublicUser & {
  live: { spaceId: string; title: string; listenerCount: number } | null;
};

export type HomeResponse = {
  /** People you follow, live ones first (most listeners first), then by handle. */
  following: RingPerson[];
  /** Live Spaces hosted by people you follow, most listeners first. */
  live: SpaceView[];
  /** Scheduled Spaces you asked to be reminded of, soonest first. */
  upcoming: SpaceView[];
  unreadCount: number;
};

export type CalendarFeedResponse = { url: string };
