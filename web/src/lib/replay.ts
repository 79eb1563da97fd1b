// Replays and clips over HTTP: the replay of a recorded Space, making a clip, reading a clip; and which transcript
// line is playing at a time.
import type { ClipCreated, ClipResponse, HostReplays, ReplayResponse } from "#protocol/replay.ts";
import type { TranscriptSegment } from "#protocol/transcript.ts";
import { api } from "./api.ts";

export const getReplay = (spaceId: string) => api.get<ReplayResponse>(`/spaces/${encodeURIComponent(spaceId)}/replay`);
export const makeClip = (spaceId: string, startMs: number, endMs: number) =>
  api.post<ClipCreated>(`/spaces/${encodeURIComponent(spaceId)}/clips`, { startMs, endMs });
export const getClip = (id: string) => api.get<ClipResponse>(`/clips/${encodeURIComponent(id)}`);
export const getHostReplays = async (handle: string) => (await api.get<HostReplays>(`/users/${encodeURIComponent(handle)}/replays`)).replays;
/** The host's recording switch: stored before the start, applied by the room while live. */
export const setRecording = (spaceId: string, on: boolean) => api.post<{ recording: boolean }>(`/spaces/${encodeURIComponent(spaceId)}/recording`, { on });
export const deleteRecording = (spaceId: string) => api.delete<{ deleted: boolean }>(`/spaces/${encodeURIComponent(spaceId)}/recording`);

/** The index of the line playing at `ms` (the last one started), or -1 before the first. */
export function currentLine(segments: TranscriptSegment[], ms: number): number {
  let current = -1;
  for (let i = 0; i < segments.length; i++) if (segments[i]!.startMs <= ms) current = i;
  return current;
}
