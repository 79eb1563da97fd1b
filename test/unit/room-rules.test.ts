// The room's limits and time rules in the pure state machine: stage caps, hand order, mutes, reactions, grace, absence.
import { describe, expect, it } from "vitest";
import type { UpdateMessage } from "../../worker/protocol/room.ts";
import { HOST_ABSENCE_MS, RECONNECT_GRACE_MS } from "../../worker/space/room-model.ts";
import { nextDeadline } from "../../worker/space/room-state.ts";
import { RoomFixture, standardRoom } from "./support/room-fixture.ts";

function roomWithSpeakers(n: number): RoomFixture {
  const room = new RoomFixture();
  room.connect("H");
  for (let i = 0; i < n; i++) {
    room.connect(`s${i}`);
    room.frame("H", { type: "set_role", userId: `s${i}`, role: "speaker" });
  }
  return room;
}

describe("stage limits", () => {
  it("allows 10 speakers and answers speakers_full to approve, accept_invite and set_role after that", () => {
    const room = roomWithSpeakers(10);
    expect(room.state.stage).toHaveLength(11);
    room.connect("R");
    room.frame("R", { type: "raise_hand" });
    expect(room.errors(room.frame("H", { type: "approve", userId: "R" }))).toEqual(["speakers_full"]);
    room.frame("H", { type: "invite", userId: "R" });
    expect(room.errors(room.frame("R", { type: "accept_invite" }))).toEqual(["speakers_full"]);
    expect(room.errors(room.frame("H", { type: "set_role", userId: "R", role: "speaker" }))).toEqual(["speakers_full"]);
    expect(room.person("R").role).toBe("listener");
    // Freeing a seat lets the same person in.
    room.frame("s0", { type: "set_role", userId: "s0", role: "listener" });
    expect(room.errors(room.frame("R", { type: "accept_invite" }))).toEqual([]);
    expect(room.person("R").role).toBe("speaker");
  });

  it("allows 2 co-hosts and answers cohosts_full to a third", () => {
    const room = roomWithSpeakers(3);
    room.frame("H", { type: "set_role", userId: "s0", role: "cohost" });
    room.frame("H", { type: "set_role", userId: "s1", role: "cohost" });
    expect(room.errors(room.frame("H", { type: "set_role", userId: "s2", role: "cohost" }))).toEqual(["cohosts_full"]);
    expect(room.person("s2").role).toBe("speaker");
  });

  it("resends a full snapshot to someone who gains or loses the manager view", () => {
    const room = standardRoom();
    const effects = room.frame("H", { type: "set_role", userId: "S", role: "cohost" });
    const toS = effects.find((e) => e.kind === "send" && e.userId === "S");
    expect(toS?.kind === "send" && toS.message.type === "snapshot" && toS.message.hands.map((h) => h.userId)).toEqual(["R"]);
  });
});

describe("hands", () => {
  it("keeps a FIFO queue that only host and co-hosts receive", () => {
    const room = standardRoom();
    for (const id of ["A", "B", "D"]) room.connect(id);
    const added = ["B", "A", "D"].flatMap((id) => {
      room.now += 1;
      return room.frame(id, { type: "raise_hand" });
    });
    const toManagers = added.filter((e) => e.kind === "managers").map((e) => (e as { message: UpdateMessage }).message.handsAdded?.[0]?.userId);
    expect(toManagers).toEqual(["B", "A", "D"]);
    expect(added.some((e) => e.kind === "broadcast")).toBe(false);
    expect(room.state.hands).toEqual(["R", "B", "A", "D"]);
    room.frame("H", { type: "approve", userId: "A" });
    expect(room.state.hands).toEqual(["R", "B", "D"]);
    room.connect("H");
    expect(room.run({ kind: "connect", identity: { userId: "C", handle: "c", displayName: "C", hostFollows: false }, connectionId: "x" })
      .flatMap((e) => (e.kind === "reply" && e.message.type === "snapshot" ? e.message.hands.map((h) => h.userId) : []))).toEqual(["R", "B", "D"]);
  });

  it("follows the speak policy: followed needs the host's follow, invited allows only invitations", () => {
    const followed = new RoomFixture("followed");
    followed.connect("fan", true);
    followed.connect("stranger", false);
    expect(followed.errors(followed.frame("stranger", { type: "raise_hand" }))).toEqual(["forbidden"]);
    expect(followed.errors(followed.frame("fan", { type: "raise_hand" }))).toEqual([]);

    const invited = new RoomFixture("invited");
    invited.connect("H");
    invited.connect("fan", true);
    expect(invited.errors(invited.frame("fan", { type: "raise_hand" }))).toEqual(["forbidden"]);
    invited.frame("H", { type: "invite", userId: "fan" });
    expect(invited.errors(invited.frame("fan", { type: "accept_invite" }))).toEqual([]);
    expect(invited.person("fan").role).toBe("speaker");

    invited.connect("late");
    invited.frame("H", { type: "set_speak_policy", policy: "everyone" });
    expect(invited.errors(invited.frame("late", { type: "raise_hand" }))).toEqual([]);
  });
});

describe("mutes", () => {
  it("keeps a moderator mute until the speaker unmutes themselves", () => {
    const room = standardRoom();
    room.frame("C", { type: "mute", userId: "S" });
    room.frame("S", { type: "mute", userId: "S" });
    expect(room.person("S")).toMatchObject({ muted: true, mutedBy: "moderator" });
    room.frame("S", { type: "unmute" });
    expect(room.person("S")).toMatchObject({ muted: false, mutedBy: null });
  });

  it("mute_all mutes every speaker except the host and the one who asked", () => {
    const room = standardRoom();
    room.frame("H", { type: "unmute" });
    const effects = room.frame("C", { type: "mute_all" });
    expect(room.person("S").muted).toBe(true);
    expect(room.person("H").muted).toBe(false);
    expect(room.person("C").muted).toBe(false);
    expect(room.broadcasts(effects)).toHaveLength(1);
  });
});

describe("reactions", () => {
  it("accepts 5 a second per person and sends one rate_limited per burst", () => {
    const room = standardRoom();
    const burst = () => Array.from({ length: 20 }, () => room.frame("L", { type: "react", emoji: "👏" })).flat();
    let effects = burst();
    expect(effects.filter((e) => e.kind === "react")).toHaveLength(5);
    expect(room.errors(effects)).toEqual(["rate_limited"]);
    room.now += 1000; // still spamming: more accepted, but no new error in the same burst
    effects = burst();
    expect(effects.filter((e) => e.kind === "react")).toHaveLength(5);
    expect(room.errors(effects)).toEqual([]);
    room.now += 1000;
    room.frame("L", { type: "react", emoji: "👏" }); // a calm window ends the burst
    room.now += 1000;
    expect(room.errors(burst())).toEqual(["rate_limited"]);
    // Another person has their own budget.
    expect(room.frame("X", { type: "react", emoji: "🔥" }).filter((e) => e.kind === "react")).toHaveLength(1);
  });
});

describe("presence and time", () => {
  it("counts distinct people, not sockets, and ignores repeated closes", () => {
    const room = new RoomFixture();
    const a = room.connect("A");
    const b = room.connect("A");
    room.connect("B");
    expect(room.state.listenerCount).toBe(2);
    room.run({ kind: "disconnect", userId: "A", connectionId: a });
    room.run({ kind: "disconnect", userId: "A", connectionId: a });
    expect(room.state.listenerCount).toBe(2);
    room.run({ kind: "disconnect", userId: "A", connectionId: b });
    expect(room.state.listenerCount).toBe(1);
    expect(room.state.people.has("A")).toBe(false);
    expect(room.state.peakListeners).toBe(2);
  });

  it("keeps role and hand through a reconnect within 30 s and forgets them after", () => {
    const room = standardRoom();
    const sCid = [...room.person("S").connections][0]!;
    const rCid = [...room.person("R").connections][0]!;
    room.run({ kind: "disconnect", userId: "S", connectionId: sCid });
    room.run({ kind: "disconnect", userId: "R", connectionId: rCid });
    expect(nextDeadline(room.state)).toBe(room.now + RECONNECT_GRACE_MS);
    room.now += RECONNECT_GRACE_MS - 1;
    room.run({ kind: "tick" });
    room.connect("S");
    expect(room.person("S")).toMatchObject({ role: "speaker", leftAt: null });
    room.now += 1;
    const effects = room.run({ kind: "tick" });
    expect(room.state.people.has("R")).toBe(false);
    expect(room.state.hands).toEqual([]);
    expect(effects.some((e) => e.kind === "managers")).toBe(true);
  });

  it("ends the Space when the host has been away for 5 minutes, not before", () => {
    const room = standardRoom();
    const hCid = [...room.person("H").connections][0]!;
    room.run({ kind: "disconnect", userId: "H", connectionId: hCid });
    room.now += HOST_ABSENCE_MS - 1;
    room.run({ kind: "tick" });
    expect(room.state.phase).toBe("live");
    room.now += 1;
    const effects = room.run({ kind: "tick" });
    expect(room.state.phase).toBe("ended");
    expect(effects).toContainEqual({ kind: "ended", reason: "host_left" });
    expect(room.errors(room.frame("S", { type: "unmute" }))).toEqual(["space_ended"]);
  });

  it("refuses a blocked person on reconnect but lets a removed one back", () => {
    const room = standardRoom();
    room.frame("H", { type: "remove", userId: "X", block: true });
    room.frame("H", { type: "remove", userId: "L" });
    expect(room.errors(room.run({ kind: "connect", identity: { userId: "X", handle: "x", displayName: "X", hostFollows: false }, connectionId: "n1" }))).toEqual(["blocked"]);
    room.connect("L");
    expect(room.person("L").role).toBe("listener");
  });

  it("records a speaker's track and drops it when they leave the stage", () => {
    const room = standardRoom();
    const track = { sessionId: "sess", trackName: "mic" };
    expect(room.errors(room.run({ kind: "set_track", userId: "L", track }))).toEqual(["forbidden"]);
    room.run({ kind: "set_track", userId: "S", track });
    expect(room.person("S").track).toEqual(track);
    room.frame("H", { type: "set_role", userId: "S", role: "listener" });
    expect(room.person("S").track).toBeNull();
  });
});
