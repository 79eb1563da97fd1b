// Discovery and reminders over HTTP: the home page data, "Remind me", host edits of a scheduled Space, calendar URLs.
import type { SpaceView } from "#protocol/api.ts";
import type { CalendarFeedResponse, HomeResponse } from "#protocol/discovery.ts";
import { api } from "./api.ts";

const spacePath = (id: string) => `/spaces/${encodeURIComponent(id)}`;

export const getHome = () => api.get<HomeResponse>("/home");

export async function setReminder(spaceId: string, on: boolean): Promise<boolean> {
  const path = `${spacePath(spaceId)}/reminder`;
  const result = on ? await api.post<{ reminded: boolean }>(path) : await api.delete<{ reminded: boolean }>(path);
  return result.reminded;
}

/** `ticket.capacity`: seats on sale; more seats go to the waitlist first, and it never goes below those sold or held. */
export type SpaceEdit = { title?: string; scheduledFor?: string; topics?: string[]; ticket?: { capacity: number } };

export const editSpace = async (spaceId: string, edit: SpaceEdit) =>
  (await api.patch<{ space: SpaceView }>(spacePath(spaceId), edit)).space;

export const cancelSpace = async (spaceId: string) =>
  (await api.post<{ space: SpaceView }>(`${spacePath(spaceId)}/cancel`)).space;

/** The downloadable .ics of one Space (a plain link, no JSON). */
export const spaceCalendarHref = (spaceId: string) => `/api${spacePath(spaceId)}/calendar.ics`;

export const getCalendarFeedUrl = async () => (await api.get<CalendarFeedResponse>("/me/calendar")).url;

/** Live first by audience (as the API orders them), then upcoming soonest first. */
export function splitByState(spaces: SpaceView[]): { live: SpaceView[]; upcoming: SpaceView[] } {
  return {
    live: spaces.filter((s) => s.state === "live"),
    upcoming: spaces.filter((s) => s.state === "scheduled"),
  };
}
