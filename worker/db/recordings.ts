// Recordings and clips in D1: one row per recorded Space (its replay object in R2) and a row per clip.
import { and, desc, eq, isNull, lt } from "drizzle-orm";
import type { Db } from "./client.ts";
import { clips, recordings, spaces, type Clip, type Recording } from "./schema.ts";

export type NewRecording = Omit<Recording, "createdAt" | "deletedAt">;

/** Saves a produced replay; a Space records once, so a repeat (finish retried) replaces the row. */
export async function saveRecording(db: Db, row: NewRecording): Promise<void> {
  await db.insert(recordings).values(row).onConflictDoUpdate({ target: recordings.spaceId, set: { ...row, deletedAt: null } });
}

export async function recordingOf(db: Db, spaceId: string): Promise<Recording | null> {
  return (await db.select().from(recordings).where(eq(recordings.spaceId, spaceId)).limit(1))[0] ?? null;
}

/** Marks it deleted (the row stays so the replay page can say so); its R2 objects are deleted by the caller first. */
export async function markRecordingDeleted(db: Db, spaceId: string, at: number): Promise<void> {
  await db.update(recordings).set({ deletedAt: at }).where(and(eq(recordings.spaceId, spaceId), isNull(recordings.deletedAt)));
}

/** Live recordings made before `before`, oldest first: retention's work list. */
export async function recordingsBefore(db: Db, before: number, limit: number): Promise<Recording[]> {
  return db.select().from(recordings).where(and(lt(recordings.createdAt, before), isNull(recordings.deletedAt))).orderBy(recordings.createdAt).limit(limit);
}

/** A host's replays still playable, newest first, with the Space's title. */
export async function replaysOfHost(db: Db, hostId: string, limit = 20): Promise<{ spaceId: string; title: string; durationMs: number; createdAt: number }[]> {
  return db
    .select({ spaceId: recordings.spaceId, title: spaces.title, durationMs: recordings.durationMs, createdAt: recordings.createdAt })
    .from(recordings)
    .innerJoin(spaces, eq(spaces.id, recordings.spaceId))
    .where(and(eq(spaces.hostId, hostId), isNull(recordings.deletedAt)))
    .orderBy(desc(recordings.createdAt))
    .limit(limit);
}

export async function insertClip(db: Db, clip: Omit<Clip, "createdAt">): Promise<void> {
  await db.insert(clips).values(clip);
}

export async function clipOf(db: Db, id: string): Promise<Clip | null> {
  return (await db.select().from(clips).where(eq(clips.id, id)).limit(1))[0] ?? null;
}

export async function clipsBefore(db: Db, before: number, limit: number): Promise<Clip[]> {
  return db.select().from(clips).where(lt(clips.createdAt, before)).orderBy(clips.createdAt).limit(limit);
}

export async function deleteClips(db: Db, ids: string[]): Promise<void> {
  for (const id of ids) await db.delete(clips).where(eq(clips.id, id));
}
