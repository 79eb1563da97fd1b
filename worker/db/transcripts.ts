// Transcript segments in D1 and their FTS5 index: inserts write both in one batch; reads by Space; word search.
import { and, asc, eq, sql } from "drizzle-orm";
import type { TranscriptSegment } from "../protocol/transcript.ts";
import { batch, statement, type Db } from "./client.ts";
import { transcriptSegments } from "./schema.ts";

export type NewSegment = TranscriptSegment & { spaceId: string };

/**
 * Appends final segments. Each segment row and its full-text entry go in the same batch (one transaction), the
 * index entry taking the row's id from last_insert_rowid(), so search never sees text the transcript lacks.
 */
export async function insertSegments(db: Db, segments: NewSegment[]): Promise<void> {
  if (segments.length === 0) return;
  const statements = segments.flatMap((s) => [
    statement(db, sql`INSERT INTO transcript_segments (space_id, speaker_id, handle, text, start_ms, end_ms)
      VALUES (${s.spaceId}, ${s.speakerId}, ${s.handle}, ${s.text}, ${Math.round(s.startMs)}, ${Math.round(s.endMs)})`),
    statement(db, sql`INSERT INTO transcript_fts (rowid, text, space_id) VALUES (last_insert_rowid(), ${s.text}, ${s.spaceId})`),
  ]);
  await batch(db, statements);
}

export async function segmentsOf(db: Db, spaceId: string): Promise<TranscriptSegment[]> {
  return db
    .select({
      speakerId: transcriptSegments.speakerId,
      handle: transcriptSegments.handle,
      text: transcriptSegments.text,
      startMs: transcriptSegments.startMs,
      endMs: transcriptSegments.endMs,
    })
    .from(transcriptSegments)
    .where(eq(transcriptSegments.spaceId, spaceId))
    .orderBy(asc(transcriptSegments.startMs), asc(transcriptSegments.id));
}

/** Whether this person spoke in the Space (was on its stage with captions on). */
export async function spokeIn(db: Db, spaceId: string, userId: string): Promise<boolean> {
  const row = await db
    .select({ id: transcriptSegments.id })
    .from(transcriptSegments)
    .where(and(eq(transcriptSegments.spaceId, spaceId), eq(transcriptSegments.speakerId, userId)))
    .limit(1)
    .get();
  return row !== undefined;
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
