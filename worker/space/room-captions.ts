// Captions in the room's pure state machine: the host's on/off switch, and which stage tracks the media object
// should hear (`open_adapter` / `close_adapter` effects), derived from what each transition did to the tracks.
import type { TrackRef } from "../protocol/room.ts";
import { roomError } from "../protocol/room-parse.ts";
import { captionsStateOf, isManager, isOnStage, participantOf, stageTracks, type Effect, type Effects, type Person, type RoomState } from "./room-model.ts";

const sameTrack = (a: TrackRef, b: TrackRef) => a.sessionId === b.sessionId && a.trackName === b.trackName;

const captioning = (state: RoomState) => state.phase === "live" && state.captionsAvailable && state.captions === "on";
/** The media object hears the stage while captions are on (and possible) or the Space is being recorded. */
export const hearingStage = (state: RoomState) => captioning(state) || (state.phase === "live" && state.recording);

/** `set_captions {on}` from host or co-host: everyone hears the new state; stage tracks gain or lose their adapter. */
export function setCaptions(state: RoomState, actor: Person, on: boolean, out: Effects): void {
  if (!isManager(actor)) return out.reply(roomError("forbidden", "Only the host and co-hosts can turn captions on or off.", "set_captions"));
  if (!state.captionsAvailable) {
    return out.reply(roomError("captions_unavailable", "Captions are not available on this server.", "set_captions"));
  }
  const next = on ? "on" : "off";
  if (state.captions === next) return;
  const wasHearing = hearingStage(state);
  state.captions = next;
  out.touchMeta();
  out.broadcast({ type: "update", captions: captionsStateOf(state) });
  // A recorded Space keeps its adapters whatever the captions switch says.
  if (wasHearing === hearingStage(state)) return;
  stageAdapters(state, on, out);
}

/** The media object could not hear this speaker's track any more: marked on them (until they publish another). */
export function adapterFailed(state: RoomState, userId: string, track: TrackRef, out: Effects): void {
  const person = state.people.get(userId);
  if (state.phase !== "live" || !person || !isOnStage(person) || !person.track || !sameTrack(person.track, track)) return;
  person.captionsLostTrack = track;
  out.touch(userId);
  out.broadcast({ type: "update", participants: [participantOf(person)] });
}

/** Every stage track gains (on) or loses (off) its adapter. */
export function stageAdapters(state: RoomState, on: boolean, out: Effects): void {
  for (const { userId, track } of stageTracks(state)) {
    const person = state.people.get(userId);
    if (on && person) out.push({ kind: "open_adapter", userId, handle: person.handle, track });
    else if (!on) out.push({ kind: "close_adapter", userId });
    // Opened afresh or not heard on purpose: either way no longer "lost".
    if (person?.captionsLostTrack) {
      person.captionsLostTrack = null;
      out.touch(userId);
      out.broadcast({ type: "update", participants: [participantOf(person)] });
    }
  }
}

/**
 * Adapter effects implied by a transition's other effects: every track closed at the SFU loses its adapter
 * (demote, remove, block, leave, end, replaced); a track that was set or cleared opens or closes its adapter.
 * A mute changes no track, so a muted speaker keeps their adapter.
 */
export function adapterEffects(
  state: RoomState,
  effects: Effect[],
  setTrack: { userId: string; track: TrackRef | null } | null,
): Effect[] {
  const extra: Effect[] = [];
  const closed = new Set<string>();
  for (const effect of effects) {
    if (effect.kind === "close_track" && !closed.has(effect.userId)) {
      closed.add(effect.userId);
      extra.push({ kind: "close_adapter", userId: effect.userId });
    }
  }
  // A refused set_track changed nothing, so it implies nothing either.
  const refused = effects.some((e) => e.kind === "reply" && e.message.type === "error");
  if (setTrack && !refused) {
    const person = state.people.get(setTrack.userId);
    if (setTrack.track === null) {
      if (!closed.has(setTrack.userId)) extra.push({ kind: "close_adapter", userId: setTrack.userId });
    } else if (person && isOnStage(person) && person.track && sameTrack(person.track, setTrack.track) && hearingStage(state)) {
      extra.push({ kind: "open_adapter", userId: person.userId, handle: person.handle, track: person.track });
    }
  }
  return extra;
}
