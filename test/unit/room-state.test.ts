// Table tests of the pure room transition: every action × every role (host, co-host, speaker, listener).
import { describe, expect, it } from "vitest";
import type { ClientMessage } from "../../worker/protocol/room.ts";
import type { Effect } from "../../worker/space/room-model.ts";
import type { RoomFixture } from "./support/room-fixture.ts";
import { dump, standardRoom } from "./support/room-fixture.ts";

type Actor = "H" | "C" | "S" | "L";
/**
 * "ok" or the error code the actor gets; `setup` puts the standard room in a state where the action has something to
 * change, and `check` runs on the state and effects after an allowed action.
 */
type Row = {
  action: string;
  frame: ClientMessage | ((actor: Actor) => ClientMessage);
  expect: Record<Actor, "ok" | string>;
  setup?: (room: RoomFixture, actor: Actor) => void;
  check?: (room: RoomFixture, actor: Actor, effects: Effect[]) => void;
};

const F = "forbidden";
const onlyManagers = { H: "ok", C: "ok", S: F, L: F };

const rows: Row[] = [
  {
    action: "react",
    frame: { type: "react", emoji: "🔥" },
    expect: { H: "ok", C: "ok", S: "ok", L: "ok" },
    check: (_room, actor, effects) =>
      expect(effects).toEqual([{ kind: "react", sender: { userId: actor, handle: `h_${actor}`, emoji: "🔥" } }]),
  },
  {
    action: "ping",
    frame: { type: "ping" },
    expect: { H: "ok", C: "ok", S: "ok", L: "ok" },
    check: (_room, _actor, effects) => expect(effects).toEqual([{ kind: "reply", message: { type: "pong" } }]),
  },
  {
    action: "raise_hand",
    frame: { type: "raise_hand" },
    expect: { H: F, C: F, S: F, L: "ok" },
    check: (room) => expect(room.state.hands).toEqual(["R", "L"]),
  },
  {
    // Only a listener can hold a raised hand (coming on stage lowers it), so for the stage this is a quiet no-op.
    action: "lower own hand",
    frame: { type: "lower_hand" },
    expect: { H: "ok", C: "ok", S: "ok", L: "ok" },
    setup: (room, actor) => {
      if (actor === "L") room.frame("L", { type: "raise_hand" });
    },
    check: (room, actor, effects) => {
      expect(room.state.hands).toEqual(["R"]);
      expect(room.person(actor).handRaisedAt).toBeNull();
      if (actor === "L") {
        expect(effects).toContainEqual({ kind: "managers", message: { type: "update", handsRemoved: ["L"] } });
        expect(effects).toContainEqual({ kind: "send", userId: "L", message: { type: "update", you: expect.objectContaining({ handRaised: false }) } });
      } else {
        expect(effects).toEqual([]);
      }
    },
  },
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
  {
    action: "mute the host (self for H)",
    frame: { type: "mute", userId: "H" },
    expect: { H: "ok", C: F, S: F, L: F },
    check: (room) => expect(room.person("H")).toMatchObject({ muted: true, mutedBy: "self" }),
  },
  { action: "mute a listener", frame: { type: "mute", userId: "X" }, expect: { H: "not_on_stage", C: "not_on_stage", S: F, L: F } },
  {
    // The host muted themselves; a co-host or speaker was muted by the host, which they may still undo.
    action: "unmute oneself",
    frame: { type: "unmute" },
    expect: { H: "ok", C: "ok", S: "ok", L: "not_on_stage" },
    setup: (room, actor) => {
      if (actor !== "L") room.frame("H", { type: "mute", userId: actor });
    },
    check: (room, actor, effects) => {
      expect(room.person(actor)).toMatchObject({ muted: false, mutedBy: null });
      expect(room.broadcasts(effects)).toEqual([
        { type: "update", participants: [expect.objectContaining({ userId: actor, muted: false, mutedBy: null })] },
      ]);
      expect(effects).toContainEqual({ kind: "send", userId: actor, message: { type: "update", you: expect.objectContaining({ muted: false }) } });
    },
  },
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
  {
    action: "remove the co-host",
    frame: { type: "remove", userId: "C" },
    expect: { H: "ok", C: F, S: F, L: F },
    check: (room, _actor, effects) => {
      expect(room.state.people.has("C")).toBe(false);
      expect(room.state.stage).not.toContain("C");
      expect(effects).toContainEqual({ kind: "remove", userId: "C", blocked: false, via: null });
    },
  },
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
    expect: { H: "ok", C: "not_host", S: "not_host", L: "not_host" },
    check: (room) => expect(room.state.phase).toBe("ended"),
  },
];

const cases = rows.flatMap((row) => (["H", "C", "S", "L"] as Actor[]).map((actor) => ({ ...row, actor, outcome: row.expect[actor] })));

describe("who may do what", () => {
  it.each(cases)("$action by $actor → $outcome", ({ frame, actor, outcome, setup, check }) => {
    const room = standardRoom();
    room.state.pin = "https://example.com/old";
    setup?.(room, actor);
    const before = dump(room.state);
    const effects = room.frame(actor, typeof frame === "function" ? frame(actor) : frame);
    if (outcome === "ok") {
      expect(room.errors(effects)).toEqual([]);
      check?.(room, actor, effects);
    } else {
      expect(room.errors(effects)).toEqual([outcome]);
      expect(dump(room.state)).toEqual(before);
      expect(effects.filter((e) => e.kind !== "reply")).toEqual([]);
    }
  });
});
