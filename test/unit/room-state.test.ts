// Table tests of the pure room transition: every action × every role (host, co-host, speaker, listener).
import { describe, expect, it } from "vitest";
import type { ClientMessage } from "../../worker/protocol/room.ts";
import type { RoomFixture } from "./support/room-fixture.ts";
import { dump, standardRoom } from "./support/room-fixture.ts";

type Actor = "H" | "C" | "S" | "L";
/** "ok" or the error code the actor gets; a check runs on the state after an allowed action. */
type Row = {
  action: string;
  frame: ClientMessage | ((actor: Actor) => ClientMessage);
  expect: Record<Actor, "ok" | string>;
  check?: (room: RoomFixture, actor: Actor) => void;
};

const F = "forbidden";
const onlyManagers = { H: "ok", C: "ok", S: F, L: F };

const rows: Row[] = [
  { action: "react", frame: { type: "react", emoji: "🔥" }, expect: { H: "ok", C: "ok", S: "ok", L: "ok" } },
  { action: "ping", frame: { type: "ping" }, expect: { H: "ok", C: "ok", S: "ok", L: "ok" } },
  {
    action: "raise_hand",
    frame: { type: "raise_hand" },
    expect: { H: F, C: F, S: F, L: "ok" },
    check: (room) => expect(room.state.hands).toEqual(["R", "L"]),
  },
  { action: "lower own hand", frame: { type: "lower_hand" }, expect: { H: "ok", C: "ok", S: "ok", L: "ok" } },
  {
    action: "lower someone's hand",
    frame: { type: "lower_hand", userId: "R" },
    expect: onlyManagers,
    check: (room) => expect(room.state.hands).toEqual([]),
  },
  {
    action: "invite",
    frame: { type: "invite", userId: "X" },
    expect: onlyManagers,
    check: (room) => expect(room.person("X").invited).toBe(true),
  },
  { action: "accept_invite without one", frame: { type: "accept_invite" }, expect: { H: "not_invited", C: "not_invited", S: "not_invited", L: "not_invited" } },
  { action: "decline_invite without one", frame: { type: "decline_invite" }, expect: { H: "not_invited", C: "not_invited", S: "not_invited", L: "not_invited" } },
  {
    action: "approve a raised hand",
    frame: { type: "approve", userId: "R" },
    expect: onlyManagers,
    check: (room) => {
      expect(room.person("R")).toMatchObject({ role: "speaker", handRaisedAt: null, muted: true });
      expect(room.state.hands).toEqual([]);
    },
  },
  { action: "approve without a hand", frame: { type: "approve", userId: "X" }, expect: { H: "not_found", C: "not_found", S: F, L: F } },
  {
    action: "promote listener to speaker",
    frame: { type: "set_role", userId: "X", role: "speaker" },
    expect: onlyManagers,
    check: (room) => expect(room.person("X").role).toBe("speaker"),
  },
  {
    action: "make a co-host",
    frame: { type: "set_role", userId: "X", role: "cohost" },
    expect: { H: "ok", C: F, S: F, L: F },
    check: (room) => expect(room.person("X").role).toBe("cohost"),
  },
  {
    action: "demote the co-host (self for C)",
    frame: { type: "set_role", userId: "C", role: "listener" },
    expect: { H: "ok", C: "ok", S: F, L: F },
    check: (room) => expect(room.state.stage).not.toContain("C"),
  },
  {
    action: "demote the speaker (self for S)",
    frame: { type: "set_role", userId: "S", role: "listener" },
    expect: { H: "ok", C: "ok", S: "ok", L: F },
    check: (room) => expect(room.person("S")).toMatchObject({ role: "listener", muted: false, track: null }),
  },
  { action: "change the host's role", frame: { type: "set_role", userId: "H", role: "listener" }, expect: { H: F, C: F, S: F, L: F } },
  {
    action: "make oneself co-host",
    frame: (actor) => ({ type: "set_role", userId: actor, role: "cohost" }),
    expect: { H: F, C: F, S: F, L: F },
  },
  {
    action: "mute the speaker (self for S)",
    frame: { type: "mute", userId: "S" },
    expect: { H: "ok", C: "ok", S: "ok", L: F },
    check: (room, actor) => expect(room.person("S")).toMatchObject({ muted: true, mutedBy: actor === "S" ? "self" : "moderator" }),
  },
  { action: "mute the host (self for H)", frame: { type: "mute", userId: "H" }, expect: { H: "ok", C: F, S: F, L: F } },
  { action: "mute a listener", frame: { type: "mute", userId: "X" }, expect: { H: "not_on_stage", C: "not_on_stage", S: F, L: F } },
  { action: "unmute oneself", frame: { type: "unmute" }, expect: { H: "ok", C: "ok", S: "ok", L: "not_on_stage" } },
  {
    action: "mute_all",
    frame: { type: "mute_all" },
    expect: onlyManagers,
    check: (room, actor) => {
      expect(room.person("S").muted).toBe(true);
      expect(room.person("H").muted).toBe(false);
      if (actor === "H") expect(room.person("C").mutedBy).toBe("moderator");
    },
  },
  {
    action: "remove a listener",
    frame: { type: "remove", userId: "X" },
    expect: onlyManagers,
    check: (room) => expect(room.state.people.has("X")).toBe(false),
  },
  { action: "remove the co-host", frame: { type: "remove", userId: "C" }, expect: { H: "ok", C: F, S: F, L: F } },
  { action: "remove the host", frame: { type: "remove", userId: "H" }, expect: { H: F, C: F, S: F, L: F } },
  { action: "remove someone absent", frame: { type: "remove", userId: "nobody" }, expect: { H: "not_found", C: "not_found", S: F, L: F } },
  {
    action: "pin",
    frame: { type: "pin", url: "https://example.com/a" },
    expect: onlyManagers,
    check: (room) => expect(room.state.pin).toBe("https://example.com/a"),
  },
  { action: "unpin", frame: { type: "unpin" }, expect: onlyManagers, check: (room) => expect(room.state.pin).toBeNull() },
  {
    action: "set_speak_policy",
    frame: { type: "set_speak_policy", policy: "invited" },
    expect: onlyManagers,
    check: (room) => expect(room.state.space.speakPolicy).toBe("invited"),
  },
  {
    action: "end",
    frame: { type: "end" },
    expect: { H: "ok", C: F, S: F, L: F },
    check: (room) => expect(room.state.phase).toBe("ended"),
  },
];

const cases = rows.flatMap((row) => (["H", "C", "S", "L"] as Actor[]).map((actor) => ({ ...row, actor, outcome: row.expect[actor] })));

describe("who may do what", () => {
  it.each(cases)("$action by $actor → $outcome", ({ frame, actor, outcome, check }) => {
    const room = standardRoom();
    room.state.pin = "https://example.com/old";
    const before = dump(room.state);
    const effects = room.frame(actor, typeof frame === "function" ? frame(actor) : frame);
    if (outcome === "ok") {
      expect(room.errors(effects)).toEqual([]);
      check?.(room, actor);
    } else {
      expect(room.errors(effects)).toEqual([outcome]);
      expect(dump(room.state)).toEqual(before);
      expect(effects.filter((e) => e.kind !== "reply")).toEqual([]);
    }
  });
});
