// The room's writes to D1: going live, the coalesced listener count, the speak policy, blocks, and the end record.
// Each is one guarded statement, so a late or repeated write cannot move a Space backwards.

export async function markLive(db: D1Database, spaceId: string, startedAt: number): Promise<boolean> {
  const result = await db
    .prepare("UPDATE spaces SET state = 'live', started_at = ? WHERE id = ? AND state IN ('draft', 'scheduled')")
    .bind(startedAt, spaceId)
    .run();
  return result.meta.changes > 0;
}

export async function recordListenerCount(db: D1Database, spaceId: string, listenerCount: number, peak: number): Promise<void> {
  await db
    .prepare("UPDATE spaces SET listener_count = ?, peak_listeners = max(peak_listeners, ?) WHERE id = ? AND state = 'live'")
    .bind(listenerCount, peak, spaceId)
    .run();
}

export async function recordSpeakPolicy(db: D1Database, spaceId: string, policy: string): Promise<void> {
  await db.prepare("UPDATE spaces SET speak_policy = ? WHERE id = ?").bind(policy, spaceId).run();
}

export async function recordBlock(db: D1Database, hostId: string, blockedId: string): Promise<void> {
  await db
    .prepare("INSERT INTO blocks (host_id, blocked_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
    .bind(hostId, blockedId)
    .run();
}

export async function recordEnd(db: D1Database, spaceId: string, endedAt: number, peak: number): Promise<void> {
  await db
    .prepare(
      "UPDATE spaces SET state = 'ended', ended_at = ?, peak_listeners = max(peak_listeners, ?), listener_count = 0 WHERE id = ? AND state = 'live'",
    )
    .bind(endedAt, peak, spaceId)
    .run();
}
