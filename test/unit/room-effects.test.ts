// Table tests of the room events and effects that used to be side doors: `restore` (sockets that outlived the
// object rejoin silently) and `close_track` (the transition names the SFU tracks to close, no before/after diff).
import { describe, expect, it } from "vitest";
import type { TrackRef } from "../../worker/protocol/room.ts";
import { HOST_ABSENCE_MS, isNotable, RECONNECT_GRACE_MS, type Effect } from "../../worker/space/room-model.ts";
import { identity, RoomFixture, standardRoom, T0 } from "./support/room-fixture.ts";

const track = (userId: string, n = 1): TrackRef => ({ sessionId: `sess-${userId}`, trackName: `mic-${n}` });

/** The standard room with H, C and S publishing. */
function publishingRoom(): RoomFixture {
  const room = standardRoom();
  for (const id of ["H", "C", "S"]) room.run({ kind: "set_track", userId: id, track: track(id) });
  return room;
}

const socketOf = (room: RoomFixture, userId: string) => [...room.person(userId).connections][0]!;
const closed = (effects: Effect[]) => effects.flatMap((e) => (e.kind === "close_track" ? [`${e.userId}:${e.track.trackName}`] : []));

const closeRows: { action: string; run: (room: RoomFixture) => Effect[]; closes: string[] }[] = [
  { action: "host demotes the speaker", run: (r) => r.frame("H", { type: "set_role", userId: "S", role: "listener" }), closes: ["S:mic-1"] },
  { action: "speaker steps down", run: (r) => r.frame("S", { type: "set_role", userId: "S", role: "listener" }), closes: ["S:mic-1"] },
  { action: "host removes the speaker", run: (r) => r.frame("H", { type: "remove", userId: "S" }), closes: ["S:mic-1"] },
  { action: "host blocks the co-host", run: (r) => r.frame("H", { type: "remove", userId: "C", block: true }), closes: ["C:mic-1"] },
  { action: "host ends the Space", run: (r) => r.frame("H", { type: "end" }), closes: ["H:mic-1", "C:mic-1", "S:mic-1"] },
  { action: "the Space is ended from outside", run: (r) => r.run({ kind: "end", reason: "host_ended" }), closes: ["H:mic-1", "C:mic-1", "S:mic-1"] },
  {
    action: "speaker's reconnect grace runs out",
    run: (r) => {
      r.run({ kind: "disconnect", userId: "S", connectionId: socketOf(r, "S") });
      r.now += RECONNECT_GRACE_MS;
      return r.run({ kind: "tick" });
    },
    closes: ["S:mic-1"],
  },
  {
    action: "host stays away 5 minutes",
    run: (r) => {
      r.run({ kind: "disconnect", userId: "H", connectionId: socketOf(r, "H") });
      r.now += HOST_ABSENCE_MS;
      return r.run({ kind: "tick" });
    },
    closes: ["H:mic-1", "C:mic-1", "S:mic-1"],
  },
  { action: "speaker publishes a new track", run: (r) => r.run({ kind: "set_track", userId: "S", track: track("S", 2) }), closes: ["S:mic-1"] },
  { action: "speaker clears their own track", run: (r) => r.run({ kind: "set_track", userId: "S", track: null }), closes: [] },
  { action: "speaker records the same track again", run: (r) => r.run({ kind: "set_track", userId: "S", track: track("S") }), closes: [] },
  { action: "speaker becomes co-host", run: (r) => r.frame("H", { type: "set_role", userId: "S", role: "cohost" }), closes: [] },
  { action: "host mutes the speaker", run: (r) => r.frame("H", { type: "mute", userId: "S" }), closes: [] },
  { action: "speaker's socket drops (within grace)", run: (r) => r.run({ kind: "disconnect", userId: "S", connectionId: socketOf(r, "S") }), closes: [] },
  { action: "host removes a listener", run: (r) => r.frame("H", { type: "remove", userId: "X" }), closes: [] },
  { action: "co-host tries to end (refused)", run: (r) => r.frame("C", { type: "end" }), closes: [] },
];

describe("close_track", () => {
  it.each(closeRows)("$action → closes $closes", ({ run, closes }) => {
    const room = publishingRoom();
    expect(closed(run(room))).toEqual(closes);
  });

  it("closes nothing in an ended room", () => {
    const room = publishingRoom();
    room.run({ kind: "end", reason: "host_ended" });
    expect(closed(room.run({ kind: "end", reason: "host_ended" }))).toEqual([]);
    expect(closed(room.run({ kind: "set_track", userId: "S", track: track("S", 2) }))).toEqual([]);
  });
});

/** The room as storage gives it back after an eviction: notable people only, nobody connected. */
function evicted(room: RoomFixture): RoomFixture {
  for (const person of [...room.state.people.values()]) {
    person.connections.clear();
    if (!isNotable(person)) room.state.people.delete(person.userId);
  }
  room.state.listenerCount = 0;
  return room;
}

const persisted = (effects: Effect[]) => effects.flatMap((e) => (e.kind === "persist" ? [...e.userIds].sort() : []));

type RestoreRow = {
  case: string;
  prepare: (room: RoomFixture) => void;
  sockets: string[];
  listenerCount: number;
  away: string[];
  persisted: string[];
};

const restoreRows: RestoreRow[] = [
  { case: "every socket survived", prepare: () => {}, sockets: ["H", "C", "S", "L", "X", "R", "I"], listenerCount: 7, away: [], persisted: [] },
  {
    case: "only host and a plain listener survived",
    prepare: () => {},
    sockets: ["H", "L"],
    listenerCount: 2,
    away: ["C", "I", "R", "S"],
    persisted: ["C", "I", "R", "S"],
  },
  {
    case: "someone away before the eviction came back",
    prepare: (r) => r.run({ kind: "disconnect", userId: "S", connectionId: socketOf(r, "S") }),
    sockets: ["H", "C", "S", "L", "X", "R", "I"],
    listenerCount: 7,
    away: [],
    persisted: ["S"],
  },
  {
    case: "someone away before the eviction is still away",
    prepare: (r) => r.run({ kind: "disconnect", userId: "S", connectionId: socketOf(r, "S") }),
    sockets: ["H", "C", "L", "X", "R", "I"],
    listenerCount: 6,
    away: ["S"],
    persisted: [],
  },
  { case: "one person with two sockets", prepare: () => {}, sockets: ["H", "X", "X"], listenerCount: 2, away: ["C", "I", "R", "S"], persisted: ["C", "I", "R", "S"] },
];

describe("restore", () => {
  it.each(restoreRows)("$case", ({ prepare, sockets, listenerCount, away, persisted: expectedPersisted }) => {
    const room = standardRoom();
    prepare(room);
    const leftBefore = room.state.people.get("S")?.leftAt ?? null;
    evicted(room);
    room.now = T0 + 10_000;
    const effects = room.run({ kind: "restore", sockets: sockets.map((id, i) => ({ identity: identity(id, id === "R"), connectionId: `r${i}` })) });
    expect(room.state.listenerCount).toBe(listenerCount);
    expect([...room.state.away].sort()).toEqual(away);
    expect(persisted(effects)).toEqual(expectedPersisted);
    expect(effects.filter((e) => e.kind !== "persist")).toEqual([{ kind: "schedule" }]);
    for (const id of away) {
      // Grace starts now for the newly absent; someone already away keeps their original deadline.
      expect(room.person(id).leftAt).toBe(id === "S" && leftBefore !== null ? leftBefore : room.now);
    }
    for (const id of new Set(sockets)) expect(room.person(id)).toMatchObject({ leftAt: null });
  });

  it("keeps roles, hands and the stage through a restore", () => {
    const room = evicted(standardRoom());
    room.run({ kind: "restore", sockets: ["H", "C", "S", "R"].map((id) => ({ identity: identity(id), connectionId: `r-${id}` })) });
    expect(room.state.stage).toEqual(["H", "C", "S"]);
    expect(room.state.hands).toEqual(["R"]);
    expect(room.person("C").role).toBe("cohost");
  });

  it("changes nothing in an ended room", () => {
    const room = evicted(standardRoom());
    room.run({ kind: "end", reason: "host_ended" });
    const effects = room.run({ kind: "restore", sockets: [{ identity: identity("H"), connectionId: "r1" }] });
    expect(effects).toEqual([]);
    expect(room.state.listenerCount).toBe(0);
    expect(room.person("H").connections.size).toBe(0);
  });
});
