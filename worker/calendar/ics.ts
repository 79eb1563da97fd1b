// iCalendar (RFC 5545) text for Spaces: UTC times, escaped TEXT values, CRLF lines folded at 75 octets.
import type { SpaceView } from "../protocol/api.ts";

export type CalendarEvent = { space: SpaceView; url: string };

const encoder = new TextEncoder();

/** 2026-01-02T03:04:05.678Z → 20260102T030405Z (the UTC form, RFC 5545 §3.3.5). */
export function icsDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** TEXT escaping (§3.3.11): backslash, semicolon, comma and newlines. */
export function icsText(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
}

/** Folds one content line so no physical line exceeds 75 octets, never splitting a UTF-8 character (§3.1). */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = "";
  let currentBytes = 0;
  for (const char of line) {
    const size = encoder.encode(char).length;
    // Continuation lines start with a space, which counts toward their 75 octets.
    const limit = parts.length === 0 ? 75 : 74;
    if (currentBytes + size > limit) {
      parts.push(current);
      current = "";
      currentBytes = 0;
    }
    current += char;
    currentBytes += size;
  }
  parts.push(current);
  return parts.join("\r\n ");
}

/** A Space's hour on the calendar: its scheduled time, or when it actually started if it had none. */
function eventStart(space: SpaceView): number | null {
  const at = space.scheduledFor ?? space.startedAt;
  return at === null ? null : Date.parse(at);
}

function eventLines(event: CalendarEvent, stamp: number): string[] {
  const { space } = event;
  const start = eventStart(space);
  if (start === null) return [];
  const description = `Live audio Space hosted by ${space.host.displayName} (@${space.host.handle}).\nJoin: ${event.url}`;
  return [
    "BEGIN:VEVENT",
    `UID:space-${space.id}@spaces`,
    `DTSTAMP:${icsDateTime(stamp)}`,
    `DTSTART:${icsDateTime(start)}`,
    `DURATION:PT1H`,
    `SUMMARY:${icsText(space.title)}`,
    `DESCRIPTION:${icsText(description)}`,
    `URL:${event.url}`,
    `STATUS:${space.state === "cancelled" ? "CANCELLED" : "CONFIRMED"}`,
    ...(space.topics.length > 0 ? [`CATEGORIES:${space.topics.map(icsText).join(",")}`] : []),
    "END:VEVENT",
  ];
}

/** A whole VCALENDAR with one VEVENT per Space that has a time. */
export function buildCalendar(name: string, events: CalendarEvent[], stamp: number): string {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Spaces//Spaces calendar//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    `NAME:${icsText(name)}`,
    `X-WR-CALNAME:${icsText(name)}`,
    "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
    ...events.flatMap((event) => eventLines(event, stamp)),
    "END:VCALENDAR",
  ];
  return lines.map(foldLine).join("\r\n") + "\r\n";
}
