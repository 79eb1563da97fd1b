// The room's one alarm and its coalesced D1 listener-count write: the alarm serves every deadline (reconnect grace,
// host absence, the count write), and the count reaches D1 at most every D1_SYNC_MS however often it changes.
import type { Db } from "../db/client.ts";
import { recordListenerCount } from "../db/space-lifecycle.ts";
import type { RoomState } from "./room-model.ts";
import { nextDeadline } from "./room-state.ts";

const D1_SYNC_MS = 5000;

export class RoomClock {
  private readonly storage: DurableObjectStorage;
  private readonly db: Db;
  private d1Dirty = false;
  private lastD1Sync = 0;
  private alarmAt: number | null = null;

  constructor(storage: DurableObjectStorage, db: Db) {
    this.storage = storage;
    this.db = db;
  }

  /** Reads the alarm that outlived the object, so syncAlarm() knows what is set. */
  async load(): Promise<void> {
    this.alarmAt = await this.storage.getAlarm();
  }

  alarmFired(): void {
    this.alarmAt = null;
  }

  /** The count changed; true when the alarm must now also serve a D1 write it did not before. */
  countChanged(): boolean {
    const wasDirty = this.d1Dirty;
    this.d1Dirty = true;
    return !wasDirty;
  }

  /** The room ended: its final count goes with the end record, not the periodic write. */
  stopCounting(): void {
    this.d1Dirty = false;
  }

  /** Writes the count to D1 if it changed and the last write is far enough back. */
  async syncCountIfDue(room: RoomState): Promise<void> {
    if (room.phase !== "live" || !this.d1Dirty || Date.now() < this.lastD1Sync + D1_SYNC_MS) return;
    this.d1Dirty = false;
    this.lastD1Sync = Date.now();
    await recordListenerCount(this.db, room.space.id, room.listenerCount, room.peakListeners);
  }

  /** Sets the alarm to the earliest deadline (or deletes it), touching storage only when that changed. */
  async syncAlarm(room: RoomState | null): Promise<void> {
    let next = room ? nextDeadline(room) : null;
    if (room?.phase === "live" && this.d1Dirty) {
      const syncAt = Math.max(Date.now(), this.lastD1Sync + D1_SYNC_MS);
      next = next === null ? syncAt : Math.min(next, syncAt);
    }
    if (next === this.alarmAt) return;
    if (next === null) await this.storage.deleteAlarm();
    else await this.storage.setAlarm(next);
    this.alarmAt = next;
  }
}
