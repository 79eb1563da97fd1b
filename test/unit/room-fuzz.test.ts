// Fuzz: 10,000 random events through parser and transition as the DO runs them — malformed frames, frames from people
// who are away or never came, sockets opening and closing, time jumping past reconnect grace and the host's absence,
// published tracks, the host ending the room. Nothing throws, the invariants hold after every event, a refused event
// changes nothing, and every kind of path is actually reached.
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { parseClientMessage, parseServerMessage } from "../../worker/protocol/room-parse.ts";
import { REACTION_EMOJI } from "../../worker/protocol/room.ts";
import { HOST_ABSENCE_MS, RECONNECT_GRACE_MS, type Effect } from "../../worker/space/room-model.ts";
import type { RoomEvent } from "../../worker/space/room-state.ts";
import { brokenRules, heldTracks, overdueAfterTick, trackCloses } from "./support/room-invariants.ts";
import { dump, identity, standardRoom, type RoomFixture } from "./support/room-fixture.ts";

function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALID_TYPES = [
  "react", "raise_hand", "lower_hand", "invite", "accept_invite", "decline_invite", "approve", "set_role", "mute",
  "unmute", "mute_all", "remove", "pin", "unpin", "set_speak_policy", "ping", "end",
];
const TYPES = [...VALID_TYPES, "nope", "", "END", "__proto__"];
/** The fixture's people, two who join later, and ids that are never in the room. */
const ACTORS = ["H", "C", "S", "L", "X", "R", "I", "A", "B", "ghost"];
const USERS = [...ACTORS, "", "../x", "a".repeat(80)];
const VALUES: unknown[] = [
  null, true, 0, -1, 1e309, "", "x", [], {}, { $gt: 1 }, "cohost", "speaker", "listener", "host", "everyone",
  "invited", "followed", "https://ok.example/p", "javascript:alert(1)", `https://x.example/${"a".repeat(2050)}`,
  ...REACTION_EMOJI, "🍕", "👏👏",
];
/** Each field's well-formed values, sent more often than the junk so that the room's own rules get exercised. */
const FIELDS: Record<string, readonly unknown[]> = {
  userId: USERS,
  role: ["cohost", "speaker", "listener"],
  emoji: REACTION_EMOJI,
  url: ["https://ok.example/p"],
  policy: ["everyone", "followed", "invited"],
  block: [true, false],
};
const PARSE_CODES = ["bad_frame", "too_large", "unknown_type", "invalid_emoji", "invalid_url", "invalid_role", "invalid_policy"];
/** The refusals a random room meets; the stage caps need a full stage and have their own tests (room-rules). */
const ROOM_CODES = ["forbidden", "not_host", "not_found", "not_invited", "not_on_stage", "rate_limited", "space_ended"];

type Rand = () => number;
const pick = <T>(rand: Rand, list: readonly T[]) => list[Math.floor(rand() * list.length)]!;

/** A raw frame; a well-formed one names, half the time, someone on the stage as its target. */
function randomFrame(rand: Rand, stage: readonly string[]): unknown {
  const roll = rand();
  if (roll < 0.05) return new ArrayBuffer(8);
  if (roll < 0.1) return "{".repeat(Math.floor(rand() * 10)) + pick(rand, ["", "]", "null", "garbage"]);
  if (roll < 0.13) return JSON.stringify(pick(rand, VALUES));
  if (roll < 0.15) return JSON.stringify({ type: "react", emoji: "👏", pad: "x".repeat(5000) });
  // Most of the rest are well-formed frames, so that the room's own rules, not only the parser, see a lot of traffic.
  const wellFormed = roll < 0.75;
  const frame: Record<string, unknown> = { type: wellFormed ? pick(rand, VALID_TYPES) : rand() < 0.9 ? pick(rand, TYPES) : pick(rand, VALUES) };
  for (const [key, plausible] of Object.entries(FIELDS)) {
    if (rand() < (wellFormed ? 0.8 : 0.5)) frame[key] = wellFormed || rand() < 0.6 ? pick(rand, plausible) : pick(rand, VALUES);
  }
  if (wellFormed && rand() < 0.5) frame.userId = pick(rand, stage);
  return JSON.stringify(frame);
}

/**
 * Any event but a frame: sockets opening and closing (some for ids nobody holds), the alarm, a published track, and
 * a wake from hibernation in which some sockets closed while the object slept.
 */
function randomRoomEvent(rand: Rand, room: RoomFixture, step: number): RoomEvent {
  const userId = pick(rand, ACTORS);
  const roll = rand();
  if (roll < 0.04 && room.state.phase === "live") {
    return { kind: "restore", sockets: room.hibernate().filter(() => rand() < 0.8) };
  }
  if (roll < 0.35) {
    // Blocked people keep trying to come back; people within their grace often do.
    const blocked = [...room.state.blocked];
    const away = [...room.state.away];
    const who =
      blocked.length > 0 && rand() < 0.2 ? pick(rand, blocked) : away.length > 0 && rand() < 0.4 ? pick(rand, away) : userId;
    return { kind: "connect", identity: identity(who, rand() < 0.5), connectionId: `f${step}` };
  }
  if (roll < 0.7) {
    const open = [...(room.state.people.get(userId)?.connections ?? [])];
    return { kind: "disconnect", userId, connectionId: open.length > 0 && rand() < 0.9 ? pick(rand, open) : "gone" };
  }
  if (roll < 0.85) return { kind: "tick" };
  // Half the tracks go to someone on the stage, so that demotions and removals often have a track to close.
  const publisher = rand() < 0.5 && room.state.stage.length > 0 ? pick(rand, room.state.stage) : userId;
  const track = rand() < 0.8 ? { sessionId: `sess-${publisher}`, trackName: `mic-${step}` } : null;
  return { kind: "set_track", userId: publisher, track };
}

/** Mostly small steps; sometimes past a reconnect grace, rarely past the host's absence limit. */
function timeStep(rand: Rand): number {
  const roll = rand();
  if (roll < 0.006) return HOST_ABSENCE_MS + Math.floor(rand() * 60_000);
  if (roll < 0.03) return Math.floor(rand() * 2 * RECONNECT_GRACE_MS);
  return Math.floor(rand() * 300);
}

/**
 * The state without memory-only bookkeeping: the reaction rate window (a rate_limited reply records the refusal in it)
 * and, with `sockets`, which socket ids someone holds (closing one of two sockets changes nothing anyone sees).
 */
function withoutBookkeeping(picture: unknown, sockets = false): unknown {
  const state = picture as { people: [string, Record<string, unknown>][] };
  const people = state.people.map(([id, p]) => {
    const { reactWindowStart: _w, reactCount: _c, reactRejected: _r, rateNotified: _n, connections, ...rest } = p;
    return [id, sockets ? rest : { ...rest, connections }];
  });
  return { ...state, people };
}

/** Runs one event and returns what went wrong: a throw, a refusal that changed something, a broken invariant. */
function runChecked(room: RoomFixture, event: RoomEvent, note: (what: string) => void): string[] {
  const problems: string[] = [];
  const absentActor =
    event.kind === "frame" && room.state.phase === "live" && !room.state.people.get(event.userId)?.connections.size;
  const awayBefore = [...room.state.away].filter((id) => id !== room.state.space.hostId);
  const held = heldTracks(room.state);
  const before = dump(room.state);
  let effects: Effect[] = [];
  try {
    effects = room.run(event);
  } catch (error) {
    return [`threw ${String(error)}`];
  }
  const errors = room.errors(effects);
  const after = dump(room.state);
  if (absentActor) {
    note("frame from someone not connected");
    if (errors.join() !== "forbidden") problems.push(`someone not connected got ${JSON.stringify(errors)}, not forbidden`);
  }
  if (errors.length > 0) {
    for (const code of errors) note(`${event.kind} ${code}`);
    const rateLimited = errors.includes("rate_limited");
    if (!isDeepStrictEqual(rateLimited ? withoutBookkeeping(after) : after, rateLimited ? withoutBookkeeping(before) : before)) {
      problems.push(`refused with ${errors.join()} but the state changed`);
    }
    const others = effects.filter((e) => e.kind !== "reply");
    if (others.length > 0) problems.push(`refused with ${errors.join()} but also emitted ${JSON.stringify(others)}`);
  } else {
    note(`${event.kind} accepted`);
    // Any change someone could see, or that must be stored, comes out as at least one effect.
    if (effects.length === 0 && !isDeepStrictEqual(withoutBookkeeping(after, true), withoutBookkeeping(before, true))) {
      problems.push("the state changed but no effect says so");
    }
  }
  problems.push(...brokenRules(room.state, room.state.space.hostId));
  problems.push(...trackCloses(held, room.state, event, effects));
  if (event.kind === "tick") {
    problems.push(...overdueAfterTick(room.state, room.now));
    if (awayBefore.some((id) => !room.state.people.has(id))) note("grace expired");
  }
  for (const effect of effects) {
    if (effect.kind === "ended") note(`ended ${effect.reason}`);
    if (effect.kind === "close_track") note(`close_track on ${event.kind === "frame" ? event.message.type : event.kind}`);
  }
  return problems;
}

describe("room fuzz", () => {
  it("survives 10,000 random events with the invariants intact and refusals changing nothing", () => {
    const rand = prng(20261125);
    let room = standardRoom();
    const seen = new Map<string, number>();
    const note = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);
    let endedSteps = 0;
    let burst: { event: RoomEvent; left: number } | null = null;

    for (let step = 0; step < 10_000; step++) {
      let event: RoomEvent;
      if (burst && burst.left-- > 0) {
        event = burst.event; // a reaction burst within one instant, to meet the rate limit
      } else if (rand() < 0.7) {
        room.now += timeStep(rand);
        const parsed = parseClientMessage(randomFrame(rand, room.state.stage));
        if (!parsed.ok) {
          // The refusal goes back on the socket; it must be a frame the client's own parser reads as an error.
          const back = parseServerMessage(JSON.stringify(parsed.error));
          if (!back.ok || !isDeepStrictEqual(back.message, parsed.error)) expect(back).toEqual({ ok: true, message: parsed.error });
          note(`parse ${parsed.error.code}`);
          continue;
        }
        // Whatever the parser accepts is a message it accepts again in the same form once sent on.
        const again = parseClientMessage(JSON.stringify(parsed.message));
        if (!isDeepStrictEqual(again, parsed)) expect(again).toEqual(parsed);
        // The host is one actor in ten but moderates most of what happens: give them a quarter of the frames. Of the
        // rest, most come from someone connected, the others from anyone (away, gone or never there).
        const connected = [...room.state.people.values()].filter((p) => p.connections.size > 0).map((p) => p.userId);
        let userId = rand() < 0.25 ? "H" : connected.length > 0 && rand() < 0.6 ? pick(rand, connected) : pick(rand, ACTORS);
        // Most of the host's ends go to someone else (refused), so that rooms live long enough to fill their stage.
        if (parsed.message.type === "end" && userId === "H" && rand() < 0.8) userId = pick(rand, ACTORS.slice(1));
        event = { kind: "frame", userId, message: parsed.message };
        if (parsed.message.type === "react" && rand() < 0.3) burst = { event, left: 8 };
      } else {
        room.now += timeStep(rand);
        event = randomRoomEvent(rand, room, step);
      }

      const problems = runChecked(room, event, note);
      if (problems.length > 0) expect(problems.join("; "), `step ${step}: ${JSON.stringify(event)}`).toBe("");

      // An ended room refuses everything for a while; then the next round starts on a fresh room.
      if (room.state.phase === "ended" && ++endedSteps > 20) {
        endedSteps = 0;
        room = standardRoom();
      }
    }

    // Every path was reached, not just the easy ones (floors about half of what this seed reaches).
    const reached = (what: string) => seen.get(what) ?? 0;
    for (const code of PARSE_CODES) expect(reached(`parse ${code}`), code).toBeGreaterThan(20);
    for (const code of ROOM_CODES) expect(reached(`frame ${code}`), code).toBeGreaterThan(10);
    expect(reached("connect blocked"), "blocked people reconnecting").toBeGreaterThan(20);
    expect(reached("connect space_ended"), "connecting to an ended room").toBeGreaterThan(20);
    expect(reached("set_track accepted"), "tracks recorded").toBeGreaterThan(100);
    expect(reached("set_track forbidden"), "tracks refused to listeners").toBeGreaterThan(30);
    expect(reached("frame from someone not connected"), "frames from people away or never there").toBeGreaterThan(400);
    expect(reached("grace expired"), "reconnect grace running out").toBeGreaterThan(10);
    expect(reached("restore accepted"), "wakes from hibernation").toBeGreaterThan(50);
    expect(reached("ended host_ended"), "the host ending the room").toBeGreaterThan(5);
    expect(reached("ended host_left"), "the host's absence ending the room").toBeGreaterThan(2);
    const closes = { set_track: 50, end: 8, remove: 4, tick: 5, set_role: 0 };
    for (const [cause, floor] of Object.entries(closes)) expect(reached(`close_track on ${cause}`), cause).toBeGreaterThan(floor);

    // Still a working room: a newcomer gets a snapshot, the host can pin, and reactions flow.
    expect(room.state.phase).toBe("live");
    room.connect("H");
    const fresh = room.run({ kind: "connect", identity: identity("new"), connectionId: "fresh" });
    expect(fresh.some((e) => e.kind === "reply" && e.message.type === "snapshot")).toBe(true);
    room.frame("H", { type: "pin", url: "https://still.example/works" });
    expect(room.state.pin).toBe("https://still.example/works");
    room.now += 5000;
    expect(room.frame("new", { type: "react", emoji: "✨" }).some((e) => e.kind === "react")).toBe(true);
  });
});
