// Replay and clip wire shapes: GET /api/spaces/:id/replay, POST /api/spaces/:id/clips, GET /api/clips/:id.
import type { TranscriptSegment } from "./transcript.ts";

/** Reaction counts of one second of the replay (atMs from the replay's start). */
export type ReplayReactions = { atMs: number; counts: Record<string, number> };

/** Segments' times are ms from the replay's start (the Space's times shifted by where the recording began). */
export type ReplayResponse = {
  audioUrl: string;
  durationMs: number;
  /** Where the replay's 0 falls on the Space's timeline (ms from its start): recording began there. */
  offsetMs: number;
  segments: TranscriptSegment[];
  reactions: ReplayReactions[];
  space: { id: string; title: string; hostHandle: string; hostDisplayName: string };
};

export type ClipCreated = { clip: { id: string; url: string } };

export type ClipResponse = {
  clip: { id: string; url: string; audioUrl: string; startMs: number; endMs: number; durationMs: number };
  space: { id: string; title: string; hostHandle: string };
  /** Transcript lines inside the clip, times from the clip's start. */
  segments: TranscriptSegment[];
};

/** A clip is at most this long. */
export const MAX_CLIP_MS = 60_000;

/** GET /api/users/:handle/replays: the host's recordings still playable, newest first. */
export type HostReplays = { replays: { spaceId: string; title: string; durationMs: number; createdAt: number }[] };
