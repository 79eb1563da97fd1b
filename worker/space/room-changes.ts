// The room's compound changes (role change, hand lowering, dropping someone, ending), each emitting its own deltas.
import type { EndReason, Role } from "../protocol/room.ts";
import {
  handEntryOf,
  isManager,
  isNotable,
  isOnStage,
  participantOf,
  snapshotFor,
  stageTracks,
  youOf,
  type Effects,
  type Person,
  type RoomState,
} from "./room-model.ts";

export function lowerHand(state: RoomState, person: Person, out: Effects): void {
  if (person.handRaisedAt === null) return;
  person.handRaisedAt = null;
  const at = state.hands.indexOf(person.userId);
  if (at >= 0) state.hands.splice(at, 1);
  out.managers({ type: "update", handsRemoved: [person.userId] });
  out.send(person.userId, { type: "update", you: youOf(person) });
  out.touch(person.userId);
}

export function raiseHand(state: RoomState, person: Person, now: number, out: Effects): void {
  if (person.handRaisedAt !== null) return;
  person.handRaisedAt = now;
  state.hands.push(person.userId);
  out.managers({ type: "update", handsAdded: [handEntryOf(person)] });
  out.send(person.userId, { type: "update", you: youOf(person) });
  out.touch(person.userId);
}

/** Moves someone to a role; the caller has checked permission and limits. */
export function setRole(state: RoomState, person: Person, role: Role, out: Effects): void {
  const before = person.role;
  if (before === role) return;
  const wasManager = isManager(person);
  person.role = role;
  person.invited = false;
  if (before === "listener") {
    state.stage.push(person.userId);
    // New speakers come on stage muted so nobody is live before they choose to be.
    person.muted = true;
    person.mutedBy = "self";
  }
  if (role === "listener") {
    const at = state.stage.indexOf(person.userId);
    if (at >= 0) state.stage.splice(at, 1);
    person.muted = false;
    person.mutedBy = null;
    if (person.track) out.push({ kind: "close_track", userId: person.userId, track: person.track });
    person.track = null;
    out.broadcast({ type: "update", gone: [person.userId] });
  } else {
    out.broadcast({ type: "update", participants: [participantOf(person)] });
  }
  if (person.handRaisedAt !== null) lowerHand(state, person, out);
  // Crossing between the audience and the stage changes the listener sample and the audience count everyone sees.
  if (before === "listener" || role === "listener") out.push({ kind: "listeners" });
  // Gaining or losing the manager view changes what the client must hold (the hand queue): resend it whole.
  if (wasManager !== isManager(person)) out.send(person.userId, snapshotFor(state, person));
  else out.send(person.userId, { type: "update", you: youOf(person) });
  out.touch(person.userId);
}

/** Takes someone out of the room's memory: off the stage, out of the queue, forgotten. */
export function dropPerson(state: RoomState, person: Person, out: Effects): void {
  if (isOnStage(person)) {
    const at = state.stage.indexOf(person.userId);
    if (at >= 0) state.stage.splice(at, 1);
    out.broadcast({ type: "update", gone: [person.userId] });
    if (person.track) out.push({ kind: "close_track", userId: person.userId, track: person.track });
  }
  if (person.handRaisedAt !== null) {
    const at = state.hands.indexOf(person.userId);
    if (at >= 0) state.hands.splice(at, 1);
    out.managers({ type: "update", handsRemoved: [person.userId] });
  }
  if (person.connections.size > 0) {
    person.connections.clear();
    // Someone reached through a shard is counted by that shard, which reports them gone once it closes their socket.
    if (person.via === null) {
      state.listenerCount -= 1;
      out.push({ kind: "count" });
    }
    person.via = null;
  }
  if (state.away.delete(person.userId)) out.push({ kind: "schedule" });
  state.people.delete(person.userId);
  out.touch(person.userId);
}

/** A person's last socket closed (theirs or their shard's): a notable person keeps their place for the reconnect
 *  grace, anyone else is forgotten. The caller has done the counting. */
export function personLeft(state: RoomState, person: Person, now: number, out: Effects): void {
  person.connections.clear();
  person.via = null;
  if (state.phase === "ended") return;
  if (!isNotable(person)) {
    state.people.delete(person.userId);
    return;
  }
  person.leftAt = now;
  state.away.add(person.userId);
  out.push({ kind: "schedule" });
  out.touch(person.userId);
  if (isOnStage(person)) out.broadcast({ type: "update", participants: [participantOf(person)] });
}

/** A remembered person is back (a socket of theirs, or their shard again): their reconnect deadline goes.
 *  Returns whether they had been away, so the caller can tell the room they are back. */
export function personReturned(state: RoomState, person: Person, out: Effects): boolean {
  if (person.leftAt === null) return false;
  person.leftAt = null;
  state.away.delete(person.userId);
  out.push({ kind: "schedule" });
  out.touch(person.userId);
  return true;
}

export function endRoom(state: RoomState, reason: EndReason, now: number, out: Effects): void {
  if (state.phase === "ended") return;
  // Nobody publishes into an ended Space: every stage track is closed at the SFU.
  for (const { userId, track } of stageTracks(state)) out.push({ kind: "close_track", userId, track });
  state.phase = "ended";
  state.endedAt = now;
  state.away.clear();
  out.touchMeta();
  out.push({ kind: "ended", reason });
}
