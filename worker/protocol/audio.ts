// JSON shapes of the audio routes (/api/spaces/:id/audio/*), shared by the Worker and the web app's audio module.
import type { TrackRef } from "./room.ts";

/** The browser's handle on its own Calls session: a signed token binds the session to one person in one Space. */
export type AudioSession = { sessionId: string; sessionToken: string };

export type PublishRequest = { sessionToken: string; offer: string; mid: string };
export type PublishResponse = { answer: string; track: TrackRef };

export type PullRequest = { sessionToken: string; tracks: TrackRef[] };
/** One pulled track and the m-line (mid) it arrives on in the browser's connection. */
export type PulledTrack = TrackRef & { mid: string };
export type PullResponse = {
  /** The SFU's offer to answer through /renegotiate, when `requiresImmediateRenegotiation`. */
  offer: string | null;
  requiresImmediateRenegotiation: boolean;
  tracks: PulledTrack[];
  /** Requested tracks that were not pulled: no longer on the stage, or the SFU could not find them. */
  refused: TrackRef[];
};

export type RenegotiateRequest = { sessionToken: string; answer: string };

/** Closes tracks of my own session by mid; with my offer the SFU answers, without it the SFU offers. */
export type CloseRequest = { sessionToken: string; mids: string[]; offer?: string };
export type CloseResponse = { answer: string | null; offer: string | null; requiresImmediateRenegotiation: boolean };
