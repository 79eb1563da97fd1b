// The media object's own SQLite storage: which stage tracks have an adapter now, and how far each speaker's audio has
// reached on the Space's timeline (both survive eviction, hibernation and a reset).
import type { TrackRef } from "../protocol/room.ts";
import type { AdapterHealth } from "./adapter-watchdog.ts";

export type AdapterRow = {
  userId: string;
  handle: string;
  track: TrackRef;
  adapterKey: string;
  /** Null while the SFU is being asked (it dials our endpoint before it answers). */
  adapterId: string | null;
  openedAt: number;
};

type HealthRow = {
  user_id: string; adapter_key: string; connected_once: number; dropped_at: number | null; attempts: number; retry_at: number | null; failed: number;
};
type Row = { user_id: string; handle: string; session_id: string; track_name: string; adapter_key: string; adapter_id: string | null; opened_at: number };

export class MediaStorage {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS adapters (
      user_id TEXT PRIMARY KEY, handle TEXT NOT NULL, session_id TEXT NOT NULL, track_name TEXT NOT NULL,
      adapter_key TEXT NOT NULL, adapter_id TEXT, opened_at INTEGER NOT NULL)`);
    sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    sql.exec("CREATE TABLE IF NOT EXISTS heard (user_id TEXT PRIMARY KEY, until_ms INTEGER NOT NULL)");
    // A table of its own (not new columns): objects created before the watchdog keep their adapters table as is.
    sql.exec(`CREATE TABLE IF NOT EXISTS adapter_health (
      user_id TEXT PRIMARY KEY, adapter_key TEXT NOT NULL, connected_once INTEGER NOT NULL, dropped_at INTEGER,
      attempts INTEGER NOT NULL, retry_at INTEGER, failed INTEGER NOT NULL)`);
  }

  /** The watchdog's record of this speaker's adapter, if it is about the opening that stands now. */
  health(userId: string, adapterKey: string): AdapterHealth | null {
    const row = this.sql
      .exec<HealthRow>("SELECT * FROM adapter_health WHERE user_id = ? AND adapter_key = ?", userId, adapterKey)
      .toArray()[0];
    return row
      ? {
          userId: row.user_id,
          adapterKey: row.adapter_key,
          connectedOnce: row.connected_once === 1,
          droppedAt: row.dropped_at,
          attempts: row.attempts,
          retryAt: row.retry_at,
          failed: row.failed === 1,
        }
      : null;
  }

  saveHealth(h: AdapterHealth): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO adapter_health (user_id, adapter_key, connected_once, dropped_at, attempts, retry_at, failed) VALUES (?, ?, ?, ?, ?, ?, ?)",
      h.userId, h.adapterKey, h.connectedOnce ? 1 : 0, h.droppedAt, h.attempts, h.retryAt, h.failed ? 1 : 0,
    );
  }

  deleteHealth(userId: string): void {
    this.sql.exec("DELETE FROM adapter_health WHERE user_id = ?", userId);
  }

  /** Space ms up to which this speaker's audio was heard (captioned or counted), 0 if none yet. */
  heardUntil(userId: string): number {
    return this.sql.exec<{ until_ms: number }>("SELECT until_ms FROM heard WHERE user_id = ?", userId).toArray()[0]?.until_ms ?? 0;
  }

  /** Moves the speaker's mark forward to `spaceMs` (never back). */
  markHeard(userId: string, spaceMs: number): void {
    this.sql.exec(
      "INSERT INTO heard (user_id, until_ms) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET until_ms = MAX(until_ms, excluded.until_ms)",
      userId, Math.round(spaceMs),
    );
  }

  adapter(userId: string): AdapterRow | null {
    const row = this.sql.exec<Row>("SELECT * FROM adapters WHERE user_id = ?", userId).toArray()[0];
    return row ? toAdapter(row) : null;
  }

  adapters(): AdapterRow[] {
    return this.sql.exec<Row>("SELECT * FROM adapters ORDER BY opened_at").toArray().map(toAdapter);
  }

  saveAdapter(row: AdapterRow): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO adapters (user_id, handle, session_id, track_name, adapter_key, adapter_id, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      row.userId, row.handle, row.track.sessionId, row.track.trackName, row.adapterKey, row.adapterId, row.openedAt,
    );
  }

  /** Deletes the row only if it is still this opening (a newer one for the same person stays). */
  deleteAdapter(userId: string, adapterKey: string): void {
    this.sql.exec("DELETE FROM adapters WHERE user_id = ? AND adapter_key = ?", userId, adapterKey);
  }

  meta(key: string): string | null {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }
}

function toAdapter(row: Row): AdapterRow {
  return {
    userId: row.user_id,
    handle: row.handle,
    track: { sessionId: row.session_id, trackName: row.track_name },
    adapterKey: row.adapter_key,
    adapterId: row.adapter_id,
    openedAt: row.opened_at,
  };
}
