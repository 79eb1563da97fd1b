// Captions in the pure room: which events open and close a speaker's adapter, and the host's captions switch.
import { describe, expect, it } from "vitest";
import type { TrackRef } from "../../worker/protocol/room.ts";
import type { Effect } from "../../worker/space/room-model.ts";
import { standardRoom, type RoomFixture } from "./support/room-fixture.ts";

const track = (name: string): TrackRef => ({ sessionId: `sess-${name}`, trackName: `mic-${name}` });

/** The adapter effects of a step, in order, as short strings. */
const adapters = (effects: Effect[]) =>
  effects.flatMap((e) =>
    e.kind === "open_adapter" ? [`open ${e.userId} ${e.track.trackName}`] : e.kind === "close_adapter" ? [`close ${e.userId}`] : [],
  );

/** The standard room on a deployment that can caption, with S publishing. */
function captionedRoom(): RoomFixture {
  const room = standardRoom();
  room.state.captionsAvailable = true;
  room.run({ kind: "set_track", userId: "S", track: track("S") });
  return room;
}

describe("room captions: adapters follow the stage", () => {
  it("opens an adapter when someone on stage publishes, and not for a listener", () => {
    const room = standardRoom();
    room.state.captionsAvailable = true;
    expect(adapters(room.run({ kind: "set_track", userId: "S", track: track("S") }))).toEqual(["open S mic-S"]);
    expect(adapters(room.run({ kind: "set_track", userId: "L", track: track("L") }))).toEqual([]);
  });

  const closers: [string, (room: RoomFixture) => Effect[]][] = [
    ["demote", (room) => room.frame("H", { type: "set_role", userId: "S", role: "listener" })],
    ["remove", (room) => room.frame("H", { type: "remove", userId: "S" })],
    ["block", (room) => room.frame("H", { type: "remove", userId: "S", block: true })],
    ["leave (grace over)", (room) => {
      room.run({ kind: "disconnect", userId: "S", connectionId: [...room.person("S").connections][0]! });
      room.now += 31_000;
      return room.run({ kind: "tick" });
    }],
    ["end", (room) => room.frame("H", { type: "end" })],
    ["unpublish", (room) => room.run({ kind: "set_track", userId: "S", track: null })],
  ];
  for (const [name, step] of closers) {
    it(`closes the adapter on ${name}`, () => {
      const room = captionedRoom();
      expect(adapters(step(room))).toEqual(["close S"]);
    });
  }

  it("keeps the adapter of a muted mic", () => {
    const room = captionedRoom();
    expect(adapters(room.frame("H", { type: "mute", userId: "S" }))).toEqual([]);
    expect(adapters(room.frame("S", { type: "mute", userId: "S" }))).toEqual([]);
  });

  it("replaces the adapter when the speaker publishes a new track", () => {
    const room = captionedRoom();
    expect(adapters(room.run({ kind: "set_track", userId: "S", track: track("S2") }))).toEqual(["close S", "open S mic-S2"]);
  });

  it("opens nothing where this deployment cannot caption", () => {
    const room = standardRoom();
    expect(adapters(room.run({ kind: "set_track", userId: "S", track: track("S") }))).toEqual([]);
    expect(room.errors(room.frame("H", { type: "set_captions", on: false }))).toEqual(["captions_unavailable"]);
  });
});

describe("room captions: the host's switch", () => {
  it("turning captions off closes every adapter and tells everyone; on opens them again", () => {
    const room = captionedRoom();
    room.run({ kind: "set_track", userId: "C", track: track("C") });
    const off = room.frame("H", { type: "set_captions", on: false });
    expect(adapters(off)).toEqual(["close C", "close S"]);
    expect(room.broadcasts(off)).toEqual([{ type: "update", captions: "off" }]);
    expect(off.some((e) => e.kind === "persist" && e.meta)).toBe(true);
    expect(adapters(room.run({ kind: "set_track", userId: "S", track: track("S3") }))).toEqual(["close S"]);
    const on = room.frame("C", { type: "set_captions", on: true });
    expect(adapters(on)).toEqual(["open C mic-C", "open S mic-S3"]);
    expect(room.broadcasts(on)).toEqual([{ type: "update", captions: "on" }]);
  });

  it("refuses speakers and listeners, and a repeat changes nothing", () => {
    const room = captionedRoom();
    expect(room.errors(room.frame("S", { type: "set_captions", on: false }))).toEqual(["forbidden"]);
    expect(room.errors(room.frame("L", { type: "set_captions", on: false }))).toEqual(["forbidden"]);
    expect(room.frame("H", { type: "set_captions", on: true })).toEqual([]);
  });

  it("says captions in the snapshot: on, off, or unavailable", () => {
    const room = captionedRoom();
    const snapshotOf = (effects: Effect[]) => effects.find((e) => e.kind === "reply" && e.message.type === "snapshot");
    const captionsIn = (effects: Effect[]) => {
      const found = snapshotOf(effects);
      return found?.kind === "reply" && found.message.type === "snapshot" ? found.message.captions : null;
    };
    expect(captionsIn(room.run({ kind: "connect", identity: { userId: "N1", handle: "n1", displayName: "N1", hostFollows: false }, connectionId: "n1" }))).toBe("on");
    room.frame("H", { type: "set_captions", on: false });
    expect(captionsIn(room.run({ kind: "connect", identity: { userId: "N2", handle: "n2", displayName: "N2", hostFollows: false }, connectionId: "n2" }))).toBe("off");
    room.state.captionsAvailable = false;
    expect(captionsIn(room.run({ kind: "connect", identity: { userId: "N3", handle: "n3", displayName: "N3", hostFollows: false }, connectionId: "n3" }))).toBe("unavailable");
  });
});

describe("room captions: a track the media object stopped hearing", () => {
  /** The participant entries a step broadcast for S. */
  const broadcastS = (effects: Effect[]) =>
    effects.flatMap((e) => (e.kind === "broadcast" && e.message.type === "update" ? (e.message.participants ?? []) : [])).filter((p) => p.userId === "S");

  it("marks the speaker for everyone, only for their current track, until they publish another", () => {
    const room = captionedRoom();
    expect(broadcastS(room.run({ kind: "adapter_failed", userId: "S", track: track("old") }))).toEqual([]);
    expect(broadcastS(room.run({ kind: "adapter_failed", userId: "S", track: track("S") }))).toMatchObject([{ track: track("S"), captionsLost: true }]);
    const republished = broadcastS(room.run({ kind: "set_track", userId: "S", track: track("S2") }));
    expect(republished).toMatchObject([{ track: track("S2") }]);
    expect(republished[0]).not.toHaveProperty("captionsLost");
  });

  it("clears the mark when the captions switch opens the adapters afresh", () => {
    const room = captionedRoom();
    room.run({ kind: "adapter_failed", userId: "S", track: track("S") });
    room.frame("H", { type: "set_captions", on: false });
    const on = room.frame("H", { type: "set_captions", on: true });
    expect(adapters(on)).toEqual(["open S mic-S"]);
    expect(room.person("S").captionsLostTrack).toBeNull();
  });

  it("ignores a report about someone not on stage", () => {
    const room = captionedRoom();
    expect(room.run({ kind: "adapter_failed", userId: "L", track: track("L") })).toEqual([]);
  });
});
