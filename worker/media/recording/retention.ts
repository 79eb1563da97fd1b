// Deleting recordings: every R2 object of a Space's recording (parts and replay), and retention's sweep that deletes
// recordings and clips older than RECORDING_RETENTION_DAYS (run by the every-minute cron, a bounded batch per run).
import type { Db } from "../../db/client.ts";
import { clipsBefore, deleteClips, markRecordingDeleted, recordingsBefore } from "../../db/recordings.ts";
import { recordingPrefix } from "./recorder.ts";

const BATCH = 50;
const DAY_MS = 86_400_000;

export async function deleteRecordingObjects(bucket: R2Bucket, spaceId: string): Promise<void> {
  let cursor: string | undefined;
  do {
    const listed = await bucket.list({ prefix: recordingPrefix(spaceId), cursor });
    if (listed.objects.length > 0) await bucket.delete(listed.objects.map((o) => o.key));
    cursor = listed.truncated ? listed.cursor : undefined;
  } while (cursor);
}

export const retentionDays = (value: string | undefined) => {
  const days = Number(value);
  return Number.isFinite(days) && days > 0 ? days : 30;
};

/** Deletes what is past retention; returns how many recordings and clips went. */
export async function sweepRecordings(db: Db, bucket: R2Bucket, days: number, now: number): Promise<{ recordings: number; clips: number }> {
  const before = now - days * DAY_MS;
  const old = await recordingsBefore(db, before, BATCH);
  for (const recording of old) {
    await deleteRecordingObjects(bucket, recording.spaceId);
    await markRecordingDeleted(db, recording.spaceId, now);
  }
  const clips = await clipsBefore(db, before, BATCH);
  if (clips.length > 0) {
    await bucket.delete(clips.map((clip) => clip.audioKey));
    await deleteClips(db, clips.map((clip) => clip.id));
  }
  return { recordings: old.length, clips: clips.length };
}
