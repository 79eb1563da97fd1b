// What must hold of a room state after every event, as a list of broken rules (empty when all hold), for the fuzz.
import { MAX_COHOSTS, MAX_SPEAKERS, type TrackRef } from "../../../worker/protocol/room.ts";
import { HOST_ABSENCE_MS, RECONNECT_GRACE_MS, type Effect, type RoomState } from "../../../worker/space/room-model.ts";
import { nextDeadline, type RoomEvent } from "../../../worker/space/room-state.ts";

export function brokenRules(state: RoomState, hostId: string): string[] {
  const broken: string[] = [];
  const rule = (holds: boolean, text: string) => {
    if (!holds) broken.push(text);
  };
  const people = [...state.people.values()];
  const count = (role: string) => people.filter((p) => p.role === role).length;

  rule(count("host") === 1 && state.people.get(hostId)?.role === "host", "exactly one host, and it is the Space's host");
  rule(count("cohost") <= MAX_COHOSTS, `at most ${MAX_COHOSTS} co-hosts`);
  rule(count("speaker") <= MAX_SPEAKERS, `at most ${MAX_SPEAKERS} speakers`);
  const onStage = people.filter((p) => p.role !== "listener").map((p) => p.userId);
  rule(new Set(state.stage).size === state.stage.length, "nobody is on the stage twice");
  rule(state.stage.length === onStage.length && onStage.every((id) => state.stage.includes(id)), "the stage is exactly the non-listeners");

  const raised = people.filter((p) => p.handRaisedAt !== null).map((p) => p.userId);
  rule(new Set(state.hands).size === state.hands.length, "no hand is queued twice");
  rule(state.hands.length === raised.length && raised.every((id) => state.hands.includes(id)), "the queue is exactly the raised hands");
  rule(state.hands.every((id) => state.people.get(id)?.role === "listener"), "only listeners have a raised hand");
  const raisedAt = state.hands.map((id) => state.people.get(id)?.handRaisedAt ?? -1);
  rule(raisedAt.every((at, i) => i === 0 || at >= raisedAt[i - 1]!), "the queue is oldest first");

  rule(state.listenerCount === people.filter((p) => p.connections.size > 0).length, "listenerCount counts connected people");
  rule(state.peakListeners >= state.listenerCount, "the peak is never below the count");
  rule(people.every((p) => !state.blocked.has(p.userId)), "no blocked person is in the room");
  rule(people.every((p) => p.track === null || p.role !== "listener"), "only the stage has tracks");
  rule(people.every((p) => !p.invited || p.role === "listener"), "only listeners hold an invitation");
  rule(people.every((p) => p.muted === (p.mutedBy !== null)), "muted exactly when someone muted them");
  rule(people.every((p) => p.role !== "listener" || !p.muted), "listeners are never muted");

  if (state.phase === "live") {
    rule(state.endedAt === null, "a live room has no end time");
    const away = people.filter((p) => p.leftAt !== null).map((p) => p.userId);
    rule(away.length === state.away.size && away.every((id) => state.away.has(id)), "away is exactly those with leftAt");
    rule(people.every((p) => (p.connections.size === 0) === (p.leftAt !== null)), "the unconnected, and only they, are away");
  } else {
    rule(state.endedAt !== null && state.away.size === 0, "an ended room has an end time and no deadlines");
    rule(nextDeadline(state) === null, "an ended room wakes for nothing");
  }
  return broken;
}

/** After a tick at `now`, nothing may be overdue: every grace and the host's absence are still running. */
export function overdueAfterTick(state: RoomState, now: number): string[] {
  if (state.phase === "ended") return [];
  const overdue = [...state.people.values()].filter((p) => {
    if (p.leftAt === null) return false;
    return now - p.leftAt >= (p.role === "host" ? HOST_ABSENCE_MS : RECONNECT_GRACE_MS);
  });
  const next = nextDeadline(state);
  return [
    ...overdue.map((p) => `${p.userId} is past their deadline after a tick`),
    ...(next !== null && next <= now ? [`the next deadline ${next} is not after now ${now}`] : []),
  ];
}

export type HeldTrack = { userId: string; track: TrackRef };

/** The tracks people hold in a live room (an ended room holds none: they were all closed when it ended). */
export function heldTracks(state: RoomState): HeldTrack[] {
  if (state.phase !== "live") return [];
  return [...state.people.values()].flatMap((p) => (p.track ? [{ userId: p.userId, track: p.track }] : []));
}

/**
 * Every track someone held before the event and lost by it is closed exactly once by a close_track effect, and no
 * other track is: except that a speaker clearing their own track has closed it already.
 */
export function trackCloses(held: HeldTrack[], state: RoomState, event: RoomEvent, effects: Effect[]): string[] {
  const same = (a: TrackRef | null | undefined, b: TrackRef) => a?.sessionId === b.sessionId && a?.trackName === b.trackName;
  const closes = effects.flatMap((e) => (e.kind === "close_track" ? [{ userId: e.userId, track: e.track }] : []));
  const broken: string[] = [];
  for (const { userId, track } of held) {
    const kept = state.phase === "live" && same(state.people.get(userId)?.track, track);
    const clearedByOwner = event.kind === "set_track" && event.userId === userId && event.track === null;
    const times = closes.filter((c) => c.userId === userId && same(c.track, track)).length;
    const want = kept || clearedByOwner ? 0 : 1;
    if (times !== want) broken.push(`${userId}'s track ${track.trackName} closed ${times} times, not ${want}`);
  }
  for (const close of closes) {
    if (!held.some((h) => h.userId === close.userId && same(h.track, close.track))) {
      broken.push(`closed ${close.userId}'s track ${close.track.trackName}, which they did not hold`);
    }
  }
  return broken;
}
