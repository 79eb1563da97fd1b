// A Space's transcript over HTTP (`GET /api/spaces/:id/transcript`): final caption segments with speaker and
// ms offsets from the Space's start, plus helpers to show them.
import { api } from "./api.ts";

/** One stored segment, as DESIGN.md's contract gives it. */
export type TranscriptSegment = { speakerId: string; handle: string; text: string; startMs: number; endMs: number };

export const getTranscript = async (spaceId: string) =>
  (await api.get<{ segments: TranscriptSegment[] }>(`/spaces/${encodeURIComponent(spaceId)}/transcript`)).segments;

export const transcriptVttUrl = (spaceId: string) => `/api/spaces/${encodeURIComponent(spaceId)}/transcript.vtt`;

/** `m:ss` (or `h:mm:ss`) from the Space's start. */
export function offsetLabel(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}
