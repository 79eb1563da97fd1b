// A Space's life in D1 as the room reports it: going live, the coalesced listener count, the speak policy and the end,
// and the host's recording choice made before the start.
// Each is one guarded UPDATE, so a late or repeated write cannot move a Space backwards.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { SpeakPolicy } from "../protocol/api.ts";
import type { Db } from "./client.ts";
import { spaces } from "./schema.ts";

/** How many Spaces this host has live now (the HOST_MAX_LIVE check before a room opens). */
export async function liveSpaceCount(db: Db, hostId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)` })
    .from(spaces)
    .where(and(eq(spaces.hostId, hostId), eq(spaces.state, "live")));
  return row?.n ?? 0;
}

/**
 * Draft or scheduled → live while the host has fewer than `maxLive` Spaces live; false when the Space was in any other
 * state or the host is at the limit. The count and the write are one statement, so parallel starts cannot both pass.
 */
export async function markLive(db: Db, spaceId: string, hostId: string, startedAt: number, maxLive: number): Promise<boolean> {
  const result = await db.run(sql`UPDATE spaces SET state = 'live', started_at = ${startedAt}
    WHERE id = ${spaceId} AND state IN ('draft', 'scheduled')
      AND (SELECT count(*) FROM spaces WHERE host_id = ${hostId} AND state = 'live') < ${maxLive}`);
  return result.meta.changes > 0;
}

export async function recordListenerCount(db: Db, spaceId: string, listenerCount: number, peak: number): Promise<void> {
  await db
    .update(spaces)
    .set({ listenerCount, peakListeners: sql`max(${spaces.peakListeners}, ${peak})` })
    .where(and(eq(spaces.id, spaceId), eq(spaces.state, "live")));
}

export async function recordSpeakPolicy(db: Db, spaceId: string, policy: SpeakPolicy): Promise<void> {
  await db.update(spaces).set({ speakPolicy: policy }).where(eq(spaces.id, spaceId));
}

/** Live → ended with the final peak; a Space cancelled or ended meanwhile keeps its state. */
export async function recordEnd(db: Db, spaceId: string, endedAt: number, peak: number): Promise<void> {
  await db
    .update(spaces)
    .set({ state: "ended", endedAt, peakListeners: sql`max(${spaces.peakListeners}, ${peak})`, listenerCount: 0 })
    .where(and(eq(spaces.id, spaceId), eq(spaces.state, "live")));
}

/** The host's recording choice before the start; false when the Space is no longer draft or scheduled (it went live). */
export async function setRecordOnStart(db: Db, spaceId: string, on: boolean): Promise<boolean> {
  const result = await db
    .update(spaces)
    .set({ recordOnStart: on })
    .where(and(eq(spaces.id, spaceId), inArray(spaces.state, ["draft", "scheduled"])));
  return result.meta.changes > 0;
}
