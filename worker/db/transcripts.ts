// Transcript segments in D1 and their FTS5 index: inserts write both in one batch; reads by Space; word search.
import type { TranscriptSegment } from "../protocol/transcript.ts";

export type NewSegment = TranscriptSegment & { spaceId: string };

/**
 * Appends final segments. Each segment row and its full-text entry go in the same batch (one transaction), the
 * index entry taking the row's id from last_insert_rowid(), so search never sees text the transcript lacks.
 */
export async function insertSegments(d1: D1Database, segments: NewSegment[]): Promise<void> {
  if (segments.length === 0) return;
  const statements = segments.flatMap((s) => [
    d1
      .prepare("INSERT INTO transcript_segments (space_id, speaker_id, handle, text, start_ms, end_ms) VALUES (?, ?, ?, ?, ?, ?)")
      .bind(s.spaceId, s.speakerId, s.handle, s.text, Math.round(s.startMs), Math.round(s.endMs)),
    d1.prepare("INSERT INTO transcript_fts (rowid, text, space_id) VALUES (last_insert_rowid(), ?, ?)").bind(s.text, s.spaceId),
  ]);
  await d1.batch(statements);
}

export async function segmentsOf(d1: D1Database, spaceId: string): Promise<TranscriptSegment[]> {
  const { results } = await d1
    .prepare(
      "SELECT speaker_id AS speakerId, handle, text, start_ms AS startMs, end_ms AS endMs FROM transcript_segments WHERE space_id = ? ORDER BY start_ms, id",
    )
    .bind(spaceId)
    .all<TranscriptSegment>();
  return results;
}

/** Whether this person spoke in the Space (was on its stage with captions on). */
export async function spokeIn(d1: D1Database, spaceId: string, userId: string): Promise<boolean> {
  const row = await d1.prepare("SELECT 1 AS one FROM transcript_segments WHERE space_id = ? AND speaker_id = ? LIMIT 1").bind(spaceId, userId).first();
  return row !== null;
}

/**
 * An FTS5 query for what a person typed: each word becomes a quoted term (so operators and punctuation in the input
 * mean nothing), all words must occur. Null when nothing searchable is left.
 */
export function ftsQueryOf(input: string): string | null {
  const words = input.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const unique = [...new Set(words)].slice(0, 8);
  return unique.length === 0 ? null : unique.map((word) => `"${word}"`).join(" ");
}
