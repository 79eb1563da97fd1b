// A clip's range as people type it on the replay page ("1:05", "1:05.5", "65", "1:02:03"), read into ms and checked
// against the clip rules (end after start, at most 60 s, inside the recording) with messages written for people.
// Pure and shared: the page validates before it asks, and the unit tests pin the wording.
import { MAX_CLIP_MS } from "./replay.ts";

const CLOCK = /^(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d{1,3})?)$/;

/** ms from a clock-style time, or null when it is not one. Minutes and seconds past the first part stay below 60. */
export function parseClock(text: string): number | null {
  const match = CLOCK.exec(text.trim());
  if (!match) return null;
  const [, first, second, last] = match;
  const parts = [first, second].filter((p): p is string => p !== undefined).map(Number);
  const seconds = Number(last);
  if (parts.length > 0 && seconds >= 60) return null;
  if (parts.length === 2 && parts[1]! >= 60) return null;
  const [hours, minutes] = parts.length === 2 ? parts : [0, parts[0] ?? 0];
  return Math.round(((hours ?? 0) * 3600 + (minutes ?? 0) * 60 + seconds) * 1000);
}

/** `m:ss` (or `h:mm:ss`), tenths shown only when there are some: the form parseClock reads back. */
export function formatClock(ms: number): string {
  const tenths = Math.max(0, Math.round(ms / 100));
  const total = Math.floor(tenths / 10);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0") + (tenths % 10 === 0 ? "" : `.${tenths % 10}`);
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

export type ClipRange = { ok: true; startMs: number; endMs: number } | { ok: false; field: "start" | "end"; message: string };

/** Reads and checks the two typed times against a recording `durationMs` long. */
export function checkClipRange(startText: string, endText: string, durationMs: number): ClipRange {
  const startMs = parseClock(startText);
  if (startMs === null) return { ok: false, field: "start", message: "Write the start as minutes:seconds, like 1:05." };
  const endMs = parseClock(endText);
  if (endMs === null) return { ok: false, field: "end", message: "Write the end as minutes:seconds, like 1:35." };
  if (startMs >= durationMs) {
    return { ok: false, field: "start", message: `The start is past the end of the recording (${formatClock(durationMs)}).` };
  }
  if (endMs <= startMs) return { ok: false, field: "end", message: "The end must come after the start." };
  if (endMs > durationMs) return { ok: false, field: "end", message: `The recording ends at ${formatClock(durationMs)}.` };
  if (endMs - startMs > MAX_CLIP_MS) {
    return { ok: false, field: "end", message: `A clip is at most 60 seconds; this one is ${formatClock(endMs - startMs)}.` };
  }
  return { ok: true, startMs, endMs };
}
