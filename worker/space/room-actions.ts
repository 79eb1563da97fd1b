// What each client frame does, and who may do it: permission and limit checks first, then one change; no I/O.
import { isGuestId } from "../protocol/guest.ts";
import { roomError } from "../protocol/room-parse.ts";
import {
  MAX_COHOSTS,
  MAX_SPEAKERS,
  REACTIONS_PER_SECOND,
  type ClientMessage,
  type RoomErrorCode,
} from "../protocol/room.ts";
import { endRoom, dropPerson, lowerHand, raiseHand, setRole } from "./room-changes.ts";
import { setCaptions } from "./room-captions.ts";
import { countRole, isManager, isOnStage, newPerson, participantOf, shardConnection, youOf, type Effects, type Person, type RoomState } from "./room-model.ts";

type Ctx = { state: RoomState; actor: Person; now: number; out: Effects };

function deny(ctx: Ctx, frame: string, code: RoomErrorCode, message: string): void {
  ctx.out.reply(roomError(code, message, frame));
}

const forbidden = (ctx: Ctx, frame: string, message = "You are not allowed to do that here.") =>
  deny(ctx, frame, "forbidden", message);

function target(ctx: Ctx, frame: string, userId: string): Person | null {
  const person = ctx.state.people.get(userId) ?? shardListener(ctx.state, userId);
  if (!person) deny(ctx, frame, "not_found", "That person is not in this Space.");
  return person ?? null;
}

/** A listener the room knows only from a shard's sample: remembered from now on, reached through that shard. */
function shardListener(state: RoomState, userId: string): Person | null {
  for (const [shard, entry] of state.shards) {
    const listed = entry.sample.find((entry) => entry.userId === userId);
    if (!listed) continue;
    const person = newPerson({ ...listed, hostFollows: false }, "listener");
    person.via = shard;
    person.connections.add(shardConnection(shard));
    state.people.set(userId, person);
    return person;
  }
  return null;
}

/** Frames a guest may send: listening needs nothing more than staying connected. */
const GUEST_FRAMES = new Set<ClientMessage["type"]>(["ping", "decline_invite"]);
/** Frames that would put their target on the stage, which a guest can never be. */
const STAGE_FRAMES = new Set<ClientMessage["type"]>(["invite", "approve", "set_role"]);

/** Guests listen only; refuses (with an error frame) what a guest may not do or have done to them. */
function refusedForGuests(ctx: Ctx, message: ClientMessage): boolean {
  if (isGuestId(ctx.actor.userId) && !GUEST_FRAMES.has(message.type)) {
    deny(ctx, message.type, "sign_up_required", "Guests can only listen. Sign up to react or speak.");
    return true;
  }
  if (STAGE_FRAMES.has(message.type) && "userId" in message && typeof message.userId === "string" && isGuestId(message.userId)) {
    forbidden(ctx, message.type, "Guests listen only; they need an account to speak.");
    return true;
  }
  return false;
}

function react(ctx: Ctx, emoji: Extract<ClientMessage, { type: "react" }>["emoji"]): void {
  const { actor, now } = ctx;
  if (now - actor.reactWindowStart >= 1000) {
    // A burst ends only after a whole window without refusals; then a new burst may earn a new rate_limited.
    if (!actor.reactRejected) actor.rateNotified = false;
    actor.reactWindowStart = now;
    actor.reactCount = 0;
    actor.reactRejected = false;
  }
  if (actor.reactCount >= REACTIONS_PER_SECOND) {
    actor.reactRejected = true;
    if (!actor.rateNotified) {
      actor.rateNotified = true;
      deny(ctx, "react", "rate_limited", `At most ${REACTIONS_PER_SECOND} reactions a second.`);
    }
    return;
  }
  actor.reactCount += 1;
  ctx.out.push({ kind: "react", sender: { userId: actor.userId, handle: actor.handle, emoji } });
}

function raise(ctx: Ctx): void {
  const { state, actor } = ctx;
  if (isOnStage(actor)) return forbidden(ctx, "raise_hand", "You are already on the stage.");
  if (state.space.speakPolicy === "invited") return forbidden(ctx, "raise_hand", "Only people the host invites can speak.");
  if (state.space.speakPolicy === "followed" && !actor.hostFollows) {
    return forbidden(ctx, "raise_hand", "Only people the host follows can ask to speak.");
  }
  raiseHand(state, actor, ctx.now, ctx.out);
}

function changeRole(ctx: Ctx, userId: string, role: Extract<ClientMessage, { type: "set_role" }>["role"]): void {
  const { state, actor } = ctx;
  const person = target(ctx, "set_role", userId);
  if (!person) return;
  if (person.role === "host") return forbidden(ctx, "set_role", "The host's role cannot change.");
  const steppingDown = person === actor && role === "listener";
  if (!steppingDown) {
    if (!isManager(actor) || person === actor) return forbidden(ctx, "set_role");
    if ((role === "cohost" || person.role === "cohost") && actor.role !== "host") {
      return forbidden(ctx, "set_role", "Only the host makes or unmakes co-hosts.");
    }
  }
  if (person.role === role) return;
  if (role === "cohost" && countRole(state, "cohost") >= MAX_COHOSTS) {
    return deny(ctx, "set_role", "cohosts_full", `A Space has at most ${MAX_COHOSTS} co-hosts.`);
  }
  if (role === "speaker" && countRole(state, "speaker") >= MAX_SPEAKERS) {
    return deny(ctx, "set_role", "speakers_full", `A Space has at most ${MAX_SPEAKERS} speakers.`);
  }
  setRole(state, person, role, ctx.out);
}

function toSpeaker(ctx: Ctx, frame: string, person: Person): void {
  if (countRole(ctx.state, "speaker") >= MAX_SPEAKERS) {
    return deny(ctx, frame, "speakers_full", `A Space has at most ${MAX_SPEAKERS} speakers.`);
  }
  setRole(ctx.state, person, "speaker", ctx.out);
}

function mute(ctx: Ctx, userId: string): void {
  const { actor, out } = ctx;
  const person = target(ctx, "mute", userId);
  if (!person) return;
  if (person !== actor && (!isManager(actor) || person.role === "host")) return forbidden(ctx, "mute");
  if (!isOnStage(person)) return deny(ctx, "mute", "not_on_stage", "Only people on the stage can be muted.");
  const mutedBy = person === actor ? "self" : "moderator";
  if (person.muted && (person.mutedBy === mutedBy || mutedBy === "self")) return;
  person.muted = true;
  person.mutedBy = mutedBy;
  out.broadcast({ type: "update", participants: [participantOf(person)] });
  out.send(person.userId, { type: "update", you: youOf(person) });
  out.touch(person.userId);
}

function muteAll(ctx: Ctx): void {
  const { state, actor, out } = ctx;
  if (!isManager(actor)) return forbidden(ctx, "mute_all");
  const changed = [];
  for (const id of state.stage) {
    const person = state.people.get(id);
    if (!person || person.role === "host" || person === actor || person.muted) continue;
    person.muted = true;
    person.mutedBy = "moderator";
    changed.push(person);
    out.send(id, { type: "update", you: youOf(person) });
    out.touch(id);
  }
  if (changed.length > 0) out.broadcast({ type: "update", participants: changed.map(participantOf) });
}

function remove(ctx: Ctx, userId: string, block: boolean): void {
  const { state, actor, out } = ctx;
  if (!isManager(actor)) return forbidden(ctx, "remove");
  const person = target(ctx, "remove", userId);
  if (!person) return;
  if (person === actor || person.role === "host") return forbidden(ctx, "remove", "The host cannot be removed.");
  if (person.role === "cohost" && actor.role !== "host") return forbidden(ctx, "remove", "Only the host removes co-hosts.");
  const via = person.via;
  dropPerson(state, person, out);
  if (block) state.blocked.add(person.userId);
  out.push({ kind: "remove", userId: person.userId, blocked: block, via });
}

/** Applies one parsed client frame from `actor`. */
export function applyFrame(state: RoomState, actor: Person, message: ClientMessage, now: number, out: Effects): void {
  const ctx: Ctx = { state, actor, now, out };
  if (refusedForGuests(ctx, message)) return;
  switch (message.type) {
    case "ping":
      return out.reply({ type: "pong" });
    case "react":
      return react(ctx, message.emoji);
    case "raise_hand":
      return raise(ctx);
    case "lower_hand": {
      const person = message.userId === undefined ? actor : target(ctx, "lower_hand", message.userId);
      if (!person) return;
      if (person !== actor && !isManager(actor)) return forbidden(ctx, "lower_hand");
      return lowerHand(state, person, out);
    }
    case "invite": {
      if (!isManager(actor)) return forbidden(ctx, "invite");
      const person = target(ctx, "invite", message.userId);
      if (!person || isOnStage(person) || person.invited) return;
      person.invited = true;
      out.send(person.userId, { type: "update", you: youOf(person) });
      return out.touch(person.userId);
    }
    case "accept_invite":
      if (!actor.invited) return deny(ctx, "accept_invite", "not_invited", "You have no invitation to speak.");
      return toSpeaker(ctx, "accept_invite", actor);
    case "decline_invite":
      if (!actor.invited) return deny(ctx, "decline_invite", "not_invited", "You have no invitation to speak.");
      actor.invited = false;
      out.send(actor.userId, { type: "update", you: youOf(actor) });
      return out.touch(actor.userId);
    case "approve": {
      if (!isManager(actor)) return forbidden(ctx, "approve");
      const person = target(ctx, "approve", message.userId);
      if (!person) return;
      if (person.handRaisedAt === null) return deny(ctx, "approve", "not_found", "That person has no raised hand.");
      return toSpeaker(ctx, "approve", person);
    }
    case "set_role":
      return changeRole(ctx, message.userId, message.role);
    case "mute":
      return mute(ctx, message.userId);
    case "unmute":
      if (!isOnStage(actor)) return deny(ctx, "unmute", "not_on_stage", "Only people on the stage can unmute.");
      if (!actor.muted) return;
      actor.muted = false;
      actor.mutedBy = null;
      out.broadcast({ type: "update", participants: [participantOf(actor)] });
      out.send(actor.userId, { type: "update", you: youOf(actor) });
      return out.touch(actor.userId);
    case "mute_all":
      return muteAll(ctx);
    case "remove":
      return remove(ctx, message.userId, message.block === true);
    case "pin":
    case "unpin": {
      if (!isManager(actor)) return forbidden(ctx, message.type);
      state.pin = message.type === "pin" ? message.url : null;
      out.broadcast({ type: "update", pin: state.pin });
      return out.touchMeta();
    }
    case "set_speak_policy":
      if (!isManager(actor)) return forbidden(ctx, "set_speak_policy");
      if (state.space.speakPolicy === message.policy) return;
      state.space.speakPolicy = message.policy;
      out.broadcast({ type: "update", speakPolicy: message.policy });
      out.push({ kind: "speak_policy", policy: message.policy });
      return out.touchMeta();
    case "set_captions":
      return setCaptions(state, actor, message.on, out);
    case "end":
      if (actor.role !== "host") return deny(ctx, "end", "not_host", "Only the host can end the Space.");
      return endRoom(state, "host_ended", now, out);
    default: {
      const unreachable: never = message;
      return unreachable;
    }
  }
}
