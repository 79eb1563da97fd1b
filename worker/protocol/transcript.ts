// Transcript wire shapes: GET /api/spaces/:id/transcript (JSON) and the segments a replay shows.

/** One final caption segment; times are ms from the Space's start. */
export type TranscriptSegment = { speakerId: string; handle: string; text: string; startMs: number; endMs: number };

export type TranscriptResponse = { segments: TranscriptSegment[] };
