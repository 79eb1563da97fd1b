// Room state in the DO's SQLite storage: one meta row, a row per person worth remembering, and the room's block list.
// Connected plain listeners are not stored: after hibernation they are rebuilt from the sockets' attachments.
import type { RoomSpace } from "../protocol/room.ts";
import { isNotable, newPerson, ROLE_RANK, type Person, type RoomState, type ShardEntry } from "./room-model.ts";

type StoredMeta = {
  space: RoomSpace;
  phase: RoomState["phase"];
  endedAt: number | null;
  pin: string | null;
  peakListeners: number;
  /** Absent in rooms stored before captions existed: on. */
  captions?: RoomState["captions"];
  /** Absent in rooms stored before recording existed: off. */
  recording?: boolean;
};

/** What outlives the object: everything about a person but their open sockets and the in-memory reaction window. */
type StoredPerson = Omit<Person, "connections" | "via" | "reactWindowStart" | "reactCount" | "reactRejected" | "rateNotified">;

export class RoomStorage {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS room_meta (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS room_people (user_id TEXT PRIMARY KEY, json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS room_blocked (user_id TEXT PRIMARY KEY);
      CREATE TABLE IF NOT EXISTS room_shards (name TEXT PRIMARY KEY, json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS room_reaction_seconds (second INTEGER NOT NULL, emoji TEXT NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (second, emoji));`);
  }

  /** The stored room with nobody connected yet, or null if this Space never started. */
  load(): RoomState | null {
    const metaRow = this.sql.exec<{ json: string }>("SELECT json FROM room_meta WHERE id = 1").toArray()[0];
    if (!metaRow) return null;
    const meta = JSON.parse(metaRow.json) as StoredMeta;
    const state: RoomState = {
      space: meta.space,
      phase: meta.phase,
      endedAt: meta.endedAt,
      pin: meta.pin,
      people: new Map(),
      stage: [],
      hands: [],
      away: new Set(),
      blocked: new Set(this.sql.exec<{ user_id: string }>("SELECT user_id FROM room_blocked").toArray().map((r) => r.user_id)),
      listenerCount: 0,
      peakListeners: meta.peakListeners,
      captions: meta.captions ?? "on",
      // Not stored: the object sets it from its env after every load.
      captionsAvailable: false,
      recording: meta.recording ?? false,
      shards: new Map(),
    };
    // Shards' counts outlive a wake: their listeners are still connected to them, and their leases still run.
    for (const row of this.sql.exec<{ name: string; json: string }>("SELECT name, json FROM room_shards").toArray()) {
      const entry = JSON.parse(row.json) as ShardEntry;
      state.shards.set(row.name, entry);
      state.listenerCount += entry.count;
    }
    // rowid order is first-stored order, which keeps speakers in the order they came on stage.
    const rows = this.sql.exec<{ json: string }>("SELECT json FROM room_people ORDER BY rowid").toArray();
    for (const row of rows) {
      const stored = JSON.parse(row.json) as StoredPerson;
      const person = Object.assign(newPerson(stored, stored.role), stored, { connections: new Set<string>() });
      state.people.set(person.userId, person);
      if (person.leftAt !== null) state.away.add(person.userId);
    }
    const people = [...state.people.values()];
    state.stage = people
      .filter((p) => p.role !== "listener")
      .sort((a, b) => ROLE_RANK[a.role] - ROLE_RANK[b.role])
      .map((p) => p.userId);
    state.hands = people
      .filter((p) => p.handRaisedAt !== null)
      .sort((a, b) => (a.handRaisedAt ?? 0) - (b.handRaisedAt ?? 0))
      .map((p) => p.userId);
    return state;
  }

  saveMeta(state: RoomState): void {
    const meta: StoredMeta = {
      space: state.space,
      phase: state.phase,
      endedAt: state.endedAt,
      pin: state.pin,
      peakListeners: state.peakListeners,
      captions: state.captions,
      recording: state.recording,
    };
    this.sql.exec(
      "INSERT INTO room_meta (id, json) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json",
      JSON.stringify(meta),
    );
  }

  /** Writes these people as they are now: stored if notable, deleted if forgotten or plain listeners. */
  savePeople(state: RoomState, userIds: Iterable<string>): void {
    for (const userId of userIds) {
      const person = state.people.get(userId);
      if (!person || !isNotable(person)) {
        this.sql.exec("DELETE FROM room_people WHERE user_id = ?", userId);
        continue;
      }
      this.sql.exec(
        "INSERT INTO room_people (user_id, json) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET json = excluded.json",
        userId,
        JSON.stringify(toStored(person)),
      );
    }
  }

  /** Writes the shard table as it is now (a handful of rows). */
  saveShards(state: RoomState): void {
    this.sql.exec("DELETE FROM room_shards");
    for (const [name, entry] of state.shards) {
      this.sql.exec("INSERT INTO room_shards (name, json) VALUES (?, ?)", name, JSON.stringify(entry));
    }
  }

  /** Forgets an opened room that never went live in D1 (see SpaceRoom.abandon); the block list stays, it is the host's. */
  clear(): void {
    this.sql.exec("DELETE FROM room_meta; DELETE FROM room_people; DELETE FROM room_reaction_seconds; DELETE FROM room_shards;");
  }

  saveBlocked(userId: string): void {
    this.sql.exec("INSERT INTO room_blocked (user_id) VALUES (?) ON CONFLICT DO NOTHING", userId);
  }

  /** Counts one reaction in its second of the Space (kept while recording, for the replay's timeline). */
  addReaction(second: number, emoji: string, count = 1): void {
    this.sql.exec(
      "INSERT INTO room_reaction_seconds (second, emoji, count) VALUES (?, ?, ?) ON CONFLICT (second, emoji) DO UPDATE SET count = count + excluded.count",
      second, emoji, count,
    );
  }

  reactionSeconds(): { second: number; counts: Record<string, number> }[] {
    const out = new Map<number, Record<string, number>>();
    for (const row of this.sql.exec<{ second: number; emoji: string; count: number }>("SELECT second, emoji, count FROM room_reaction_seconds ORDER BY second").toArray()) {
      const counts = out.get(row.second) ?? {};
      counts[row.emoji] = row.count;
      out.set(row.second, counts);
    }
    return [...out].map(([second, counts]) => ({ second, counts }));
  }
}

function toStored(person: Person): StoredPerson {
  return {
    userId: person.userId,
    handle: person.handle,
    displayName: person.displayName,
    hostFollows: person.hostFollows,
    avatarUrl: person.avatarUrl ?? null,
    role: person.role,
    muted: person.muted,
    mutedBy: person.mutedBy,
    handRaisedAt: person.handRaisedAt,
    invited: person.invited,
    track: person.track,
    leftAt: person.leftAt,
    ...(person.captionsLostTrack ? { captionsLostTrack: person.captionsLostTrack } : {}),
  };
}
