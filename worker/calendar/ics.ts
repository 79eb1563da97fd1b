// iCalendar (RFC 5545) files for Spaces, written by ical-generator: it escapes TEXT values (every line break, a lone
// CR included, so a title cannot inject properties), folds lines at 75 octets and writes UTC times.
import ical, { escape, ICalCalendarMethod, ICalEventStatus } from "ical-generator";
import type { SpaceView } from "../protocol/api.ts";

export type CalendarEvent = { space: SpaceView; url: string };

const HOUR_MS = 3600 * 1000;

/** A Space's hour on the calendar: its scheduled time, or when it actually started if it had none. */
function eventStart(space: SpaceView): number | null {
  const at = space.scheduledFor ?? space.startedAt;
  return at === null ? null : Date.parse(at);
}

/** A whole VCALENDAR with one VEVENT per Space that has a time; `stamp` is when this copy was made (DTSTAMP). */
export function buildCalendar(name: string, events: CalendarEvent[], stamp: number): string {
  const calendar = ical({
    // ical-generator 11.1.2 writes the calendar's name into NAME and X-WR-CALNAME as given, unescaped (event text it
    // escapes itself), so the name goes in through the library's own TEXT escaping; calendar.test.ts pins this.
    name: escape(name, false),
    prodId: { company: "Spaces", product: "Spaces calendar", language: "EN" },
    method: ICalCalendarMethod.PUBLISH,
    // Subscribed feeds are re-read hourly (REFRESH-INTERVAL and X-PUBLISHED-TTL).
    ttl: 3600,
  });
  for (const { space, url } of events) {
    const start = eventStart(space);
    if (start === null) continue;
    calendar.createEvent({
      id: `space-${space.id}@spaces`,
      stamp: new Date(stamp),
      start: new Date(start),
      end: new Date(start + HOUR_MS),
      summary: space.title,
      description: `Live audio Space hosted by ${space.host.displayName} (@${space.host.handle}).\nJoin: ${url}`,
      url,
      status: space.state === "cancelled" ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      categories: space.topics.map((topic) => ({ name: topic })),
    });
  }
  // RFC 5545 ends every content line with CRLF, the last one too; the library leaves the last one bare.
  const text = calendar.toString();
  return text.endsWith("\r\n") ? text : `${text}\r\n`;
}
