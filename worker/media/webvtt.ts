// A transcript as WebVTT (W3C): one cue per final segment, the speaker as a `<v handle>` voice tag, text escaped.
import type { TranscriptSegment } from "../protocol/transcript.ts";

/** HH:MM:SS.mmm, as WebVTT cue timings require. */
export function vttTime(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const seconds = Math.floor((total % 60_000) / 1000);
  const millis = total % 1000;
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return `${pad(hours)}:${pad(minutes)}:${pad(seconds)}.${pad(millis, 3)}`;
}

/** Cue text may not hold `<`, `&` or `>` raw (they start tags and entities, and `-->` ends timings). */
export function escapeVtt(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r?\n/g, " ");
}

export function transcriptToVtt(segments: TranscriptSegment[]): string {
  const cues = segments.map((segment, index) => {
    const end = Math.max(segment.endMs, segment.startMs + 1);
    return `${index + 1}\n${vttTime(segment.startMs)} --> ${vttTime(end)}\n<v ${escapeVtt(segment.handle)}>${escapeVtt(segment.text)}`;
  });
  return `WEBVTT\n\n${cues.join("\n\n")}${cues.length > 0 ? "\n" : ""}`;
}
