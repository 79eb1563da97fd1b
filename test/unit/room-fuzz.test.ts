// Fuzz: 10,000 random and malformed frames through parser and transition, as the DO runs them; nothing throws,
// every bad frame earns an error, the invariants hold throughout, and the room still works afterwards.
import { describe, expect, it } from "vitest";
import { parseClientMessage } from "../../worker/protocol/room-parse.ts";
import { MAX_COHOSTS, MAX_SPEAKERS, REACTION_EMOJI } from "../../worker/protocol/room.ts";
import type { RoomState } from "../../worker/space/room-model.ts";
import { standardRoom } from "./support/room-fixture.ts";

function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES = [
  "react", "raise_hand", "lower_hand", "invite", "accept_invite", "decline_invite", "approve", "set_role", "mute",
  "unmute", "mute_all", "remove", "pin", "unpin", "set_speak_policy", "ping", "nope", "", "END", "__proto__",
];
const USERS = ["H", "C", "S", "L", "X", "R", "I", "A", "B", "ghost", "", "../x", "a".repeat(80)];
const VALUES: unknown[] = [
  null, true, 0, -1, 1e309, "", "x", [], {}, { $gt: 1 }, "cohost", "speaker", "listener", "host", "everyone",
  "invited", "followed", "https://ok.example/p", "javascript:alert(1)", `https://x.example/${"a".repeat(2050)}`,
  ...REACTION_EMOJI, "🍕", "👏👏",
];

function randomFrame(rand: () => number): unknown {
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const roll = rand();
  if (roll < 0.05) return new ArrayBuffer(8);
  if (roll < 0.1) return "{".repeat(Math.floor(rand() * 10)) + pick(["", "]", "null", "garbage"]);
  if (roll < 0.13) return JSON.stringify(pick(VALUES));
  if (roll < 0.15) return JSON.stringify({ type: "react", emoji: "👏", pad: "x".repeat(5000) });
  const frame: Record<string, unknown> = { type: rand() < 0.9 ? pick(TYPES) : pick(VALUES) };
  for (const key of ["userId", "role", "emoji", "url", "policy", "block"]) {
    if (rand() < 0.5) frame[key] = rand() < 0.6 && key === "userId" ? pick(USERS) : pick(VALUES);
  }
  return JSON.stringify(frame);
}

function checkInvariants(state: RoomState) {
  const people = [...state.people.values()];
  const roles = (role: string) => people.filter((p) => p.role === role).length;
  expect(roles("host")).toBe(1);
  expect(state.people.get("H")?.role).toBe("host");
  expect(roles("cohost")).toBeLessThanOrEqual(MAX_COHOSTS);
  expect(roles("speaker")).toBeLessThanOrEqual(MAX_SPEAKERS);
  expect(new Set(state.stage).size).toBe(state.stage.length);
  expect(state.stage.length).toBe(people.filter((p) => p.role !== "listener").length);
  expect(new Set(state.hands).size).toBe(state.hands.length);
  for (const id of state.hands) expect(state.people.get(id)?.role).toBe("listener");
  expect(state.listenerCount).toBe(people.filter((p) => p.connections.size > 0).length);
}

describe("room fuzz", () => {
  it("survives 10,000 random and malformed frames", () => {
    const rand = prng(20261125);
    const room = standardRoom();
    for (const id of ["A", "B"]) room.connect(id);
    const actors = ["H", "C", "S", "L", "X", "R", "I", "A", "B"];
    let bad = 0;
    let errorsForBad = 0;
    for (let i = 0; i < 10_000; i++) {
      room.now += Math.floor(rand() * 300);
      const raw = randomFrame(rand);
      const parsed = parseClientMessage(raw);
      const actor = actors[Math.floor(rand() * actors.length)]!;
      if (!room.state.people.get(actor)?.connections.size) room.connect(actor);
      if (!parsed.ok) {
        bad += 1;
        if (parsed.error.type === "error" && parsed.error.code && parsed.error.message) errorsForBad += 1;
        continue;
      }
      // The host ending the room would make the rest of the run trivial; that path has its own tests.
      if (parsed.message.type === "end" && actor === "H") continue;
      expect(() => room.frame(actor, parsed.message)).not.toThrow();
      if (rand() < 0.02) room.run({ kind: "disconnect", userId: actor, connectionId: [...(room.state.people.get(actor)?.connections ?? [])][0] ?? "none" });
      if (rand() < 0.01) room.run({ kind: "tick" });
      if (i % 500 === 0) checkInvariants(room.state);
    }
    expect(bad).toBeGreaterThan(3000);
    expect(errorsForBad).toBe(bad);
    checkInvariants(room.state);

    // Still a working room: a newcomer gets a snapshot, the host can pin, and reactions flow.
    expect(room.state.phase).toBe("live");
    room.connect("H");
    const fresh = room.run({ kind: "connect", identity: { userId: "new", handle: "n", displayName: "N", hostFollows: false }, connectionId: "fresh" });
    expect(fresh.some((e) => e.kind === "reply" && e.message.type === "snapshot")).toBe(true);
    room.frame("H", { type: "pin", url: "https://still.example/works" });
    expect(room.state.pin).toBe("https://still.example/works");
    room.now += 5000;
    expect(room.frame("new", { type: "react", emoji: "✨" }).some((e) => e.kind === "react")).toBe(true);
  });
});
