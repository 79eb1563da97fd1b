// The room as a pure state machine: transition(state, event, now) → { state, effects }. No I/O; the DO applies effects.
// The state is updated in place (a copy per event would be O(listeners)); a refused event leaves it untouched.
import type { ClientMessage, EndReason, TrackRef } from "../protocol/room.ts";
import { roomError } from "../protocol/room-parse.ts";
import { applyFrame } from "./room-actions.ts";
import { adapterEffects, adapterFailed } from "./room-captions.ts";
import { dropPerson, endRoom, personLeft, personReturned } from "./room-changes.ts";
import { setRecording } from "./room-recording.ts";
import { expireShards, nextLeaseEnd, shardTransition, type ShardEvent } from "./room-shards.ts";
import {
  Effects,
  HOST_ABSENCE_MS,
  isOnStage,
  newPerson,
  participantOf,
  RECONNECT_GRACE_MS,
  snapshotFor,
  type Effect,
  type Identity,
  type Person,
  type RoomState,
} from "./room-model.ts";

export type RoomEvent =
  | { kind: "connect"; identity: Identity; connectionId: string }
  | { kind: "disconnect"; userId: string; connectionId: string }
  | { kind: "frame"; userId: string; message: ClientMessage }
  /** Time passed (the alarm): reconnect grace and host absence deadlines. */
  | { kind: "tick" }
  | { kind: "end"; reason: EndReason }
  | { kind: "set_track"; userId: string; track: TrackRef | null }
  /** The recording switch, from the HTTP route (host checked here too). */
  | { kind: "set_recording"; userId: string; on: boolean }
  /** The media object gave up on this track's SFU adapter (its watchdog's retries failed): everyone is told. */
  | { kind: "adapter_failed"; userId: string; track: TrackRef }
  /** The object woke (hibernation or restart) with these sockets still open: they rejoin silently, and anyone
   *  remembered but not among them starts their grace period now. */
  | { kind: "restore"; sockets: { identity: Identity; connectionId: string }[] }
  | ShardEvent;

export type Transition = { state: RoomState; effects: Effect[] };

/** The room's person for this identity, added (as host or listener) when they are new. */
function personFor(state: RoomState, identity: Identity): Person {
  let person = state.people.get(identity.userId);
  if (!person) {
    person = newPerson(identity, identity.userId === state.space.hostId ? "host" : "listener");
    state.people.set(identity.userId, person);
  }
  return person;
}

function connect(state: RoomState, identity: Identity, connectionId: string, out: Effects): void {
  if (state.phase === "ended") return out.reply(roomError("space_ended", "This Space has ended."));
  if (state.blocked.has(identity.userId)) return out.reply(roomError("blocked", "The host has blocked you from their Spaces."));
  const person = personFor(state, identity);
  // A returning person may have a new display name or follow status since their last join token.
  person.handle = identity.handle;
  person.displayName = identity.displayName;
  person.hostFollows = identity.hostFollows;
  person.avatarUrl = identity.avatarUrl ?? null;
  const firstSocket = person.connections.size === 0;
  person.connections.add(connectionId);
  if (firstSocket) {
    state.listenerCount += 1;
    state.peakListeners = Math.max(state.peakListeners, state.listenerCount);
    out.push({ kind: "count" });
    personReturned(state, person, out);
    if (isOnStage(person)) out.broadcast({ type: "update", participants: [participantOf(person)] });
  }
  out.reply(snapshotFor(state, person));
}

function disconnect(state: RoomState, userId: string, connectionId: string, now: number, out: Effects): void {
  const person = state.people.get(userId);
  if (!person || person.via !== null || !person.connections.delete(connectionId) || person.connections.size > 0) return;
  state.listenerCount -= 1;
  out.push({ kind: "count" });
  personLeft(state, person, now, out);
}

function tick(state: RoomState, now: number, out: Effects): void {
  if (state.phase === "ended") return;
  expireShards(state, now, out);
  for (const userId of [...state.away]) {
    const person = state.people.get(userId);
    if (!person || person.leftAt === null) {
      state.away.delete(userId);
      continue;
    }
    if (person.role === "host") {
      if (now - person.leftAt >= HOST_ABSENCE_MS) return endRoom(state, "host_left", now, out);
    } else if (now - person.leftAt >= RECONNECT_GRACE_MS) {
      dropPerson(state, person, out);
    }
  }
}

function setTrack(state: RoomState, userId: string, track: TrackRef | null, out: Effects): void {
  const person = state.people.get(userId);
  if (!person || state.phase === "ended") return out.reply(roomError("not_found", "That person is not in this Space."));
  if (track !== null && !isOnStage(person)) return out.reply(roomError("forbidden", "Only speakers may publish audio."));
  // A replaced track is silenced at the SFU; a speaker clearing their own track has closed it already.
  if (track !== null && person.track !== null && !sameTrack(person.track, track)) {
    out.push({ kind: "close_track", userId, track: person.track });
  }
  person.track = track;
  // A publish asks the media object for a fresh adapter (also for the same track): a lost mark is stale now.
  person.captionsLostTrack = null;
  out.touch(userId);
  if (isOnStage(person)) out.broadcast({ type: "update", participants: [participantOf(person)] });
}

const sameTrack = (a: TrackRef, b: TrackRef) => a.sessionId === b.sessionId && a.trackName === b.trackName;

/** Re-registers sockets that outlived the object; no frames are sent, since every socket already holds the state. */
function restore(state: RoomState, sockets: { identity: Identity; connectionId: string }[], now: number, out: Effects): void {
  if (state.phase === "ended") return;
  for (const { identity, connectionId } of sockets) {
    const person = personFor(state, identity);
    if (person.connections.size === 0) state.listenerCount += 1;
    person.connections.add(connectionId);
    if (person.leftAt !== null) {
      person.leftAt = null;
      state.away.delete(person.userId);
      out.touch(person.userId);
    }
  }
  for (const person of state.people.values()) {
    if (person.connections.size === 0 && person.leftAt === null) {
      person.leftAt = now;
      state.away.add(person.userId);
      out.touch(person.userId);
    }
  }
  state.peakListeners = Math.max(state.peakListeners, state.listenerCount);
  out.push({ kind: "schedule" });
}

/** When the next deadline falls (reconnect grace, host absence, a shard's lease), or null when nothing is waiting. */
export function nextDeadline(state: RoomState): number | null {
  if (state.phase === "ended") return null;
  let next: number | null = nextLeaseEnd(state);
  for (const userId of state.away) {
    const person = state.people.get(userId);
    if (!person || person.leftAt === null) continue;
    const at = person.leftAt + (person.role === "host" ? HOST_ABSENCE_MS : RECONNECT_GRACE_MS);
    if (next === null || at < next) next = at;
  }
  return next;
}

export function transition(state: RoomState, event: RoomEvent, now: number): Transition {
  const out = new Effects();
  switch (event.kind) {
    case "connect":
      connect(state, event.identity, event.connectionId, out);
      break;
    case "disconnect":
      disconnect(state, event.userId, event.connectionId, now, out);
      break;
    case "frame": {
      const actor = state.people.get(event.userId);
      if (state.phase === "ended") out.reply(roomError("space_ended", "This Space has ended.", event.message.type));
      else if (!actor || actor.connections.size === 0) out.reply(roomError("forbidden", "You are not in this Space."));
      else applyFrame(state, actor, event.message, now, out);
      break;
    }
    case "tick":
      tick(state, now, out);
      break;
    case "end":
      endRoom(state, event.reason, now, out);
      break;
    case "set_track":
      setTrack(state, event.userId, event.track, out);
      break;
    case "restore":
      restore(state, event.sockets, now, out);
      break;
    case "set_recording":
      setRecording(state, event.userId, event.on, out);
      break;
    case "adapter_failed":
      adapterFailed(state, event.userId, event.track, out);
      break;
    case "shard_admit":
    case "shard_report":
    case "shard_frame":
    case "shard_gone":
    case "shard_reactions":
      shardTransition(state, event, now, out);
      break;
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
  const effects = out.finish();
  const setTrackEvent = event.kind === "set_track" ? { userId: event.userId, track: event.track } : null;
  effects.push(...adapterEffects(state, effects, setTrackEvent));
  return { state, effects };
}
