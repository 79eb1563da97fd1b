// Parsers for room frames, one per direction: each returns a typed message or an error value and never throws.
import type { SpeakPolicy } from "./api.ts";
import {
  MAX_PIN_URL_LENGTH,
  REACTION_EMOJI,
  type AssignableRole,
  type ClientMessage,
  type ErrorMessage,
  type ReactionEmoji,
  type RoomErrorCode,
  type ServerMessage,
  type ServerMessageType,
} from "./room.ts";

export type Parsed<T> = { ok: true; message: T } | { ok: false; error: ErrorMessage };

/** Frames larger than this are refused unread; the largest valid client frame (a pin) is about 2.1 KB. */
export const MAX_CLIENT_FRAME_CHARS = 4096;

const EMOJI = new Set<string>(REACTION_EMOJI);
const ASSIGNABLE_ROLES = new Set<string>(["cohost", "speaker", "listener"] satisfies AssignableRole[]);
const SPEAK_POLICIES = new Set<string>(["everyone", "followed", "invited"] satisfies SpeakPolicy[]);
const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function roomError(code: RoomErrorCode, message: string, frame?: string): ErrorMessage {
  return frame === undefined ? { type: "error", code, message } : { type: "error", code, message, frame };
}

const fail = (code: RoomErrorCode, message: string, frame?: string): Parsed<never> => ({
  ok: false,
  error: roomError(code, message, frame),
});

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

type FrameObject = { ok: true; record: Record<string, unknown> & { type: string } } | { ok: false; error: ErrorMessage };

function parseObject(raw: unknown, maxChars: number): FrameObject {
  if (typeof raw !== "string") return { ok: false, error: roomError("bad_frame", "Frames are JSON text.") };
  if (raw.length > maxChars) return { ok: false, error: roomError("too_large", `Frames are at most ${maxChars} characters.`) };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, error: roomError("bad_frame", "The frame is not valid JSON.") };
  }
  if (!isObject(value)) return { ok: false, error: roomError("bad_frame", "A frame is a JSON object with a type.") };
  if (typeof value.type !== "string") return { ok: false, error: roomError("bad_frame", "A frame needs a string type.") };
  return { ok: true, record: value as Record<string, unknown> & { type: string } };
}

/** A safe http(s) link for the pin, or null. */
export function normalizePinUrl(value: unknown): string | null {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_PIN_URL_LENGTH) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.username || url.password) return null;
  return url.href.length <= MAX_PIN_URL_LENGTH ? url.href : null;
}

function withUserId(frame: Record<string, unknown>, type: string): Parsed<{ userId: string }> {
  const userId = frame.userId;
  if (typeof userId !== "string" || !USER_ID.test(userId)) return fail("bad_frame", `${type} needs a userId.`, type);
  return { ok: true, message: { userId } };
}

/** Parses one frame a client sent to the room. */
export function parseClientMessage(raw: unknown): Parsed<ClientMessage> {
  const frame = parseObject(raw, MAX_CLIENT_FRAME_CHARS);
  if (!frame.ok) return frame;
  const record = frame.record;
  const type = record.type;
  switch (type) {
    case "raise_hand":
    case "accept_invite":
    case "decline_invite":
    case "unmute":
    case "mute_all":
    case "unpin":
    case "end":
    case "ping":
      return { ok: true, message: { type } };
    case "react": {
      if (typeof record.emoji !== "string" || !EMOJI.has(record.emoji)) {
        return fail("invalid_emoji", `Reactions are one of ${REACTION_EMOJI.join(" ")}.`, type);
      }
      return { ok: true, message: { type, emoji: record.emoji as ReactionEmoji } };
    }
    case "lower_hand": {
      if (record.userId === undefined) return { ok: true, message: { type } };
      const target = withUserId(record, type);
      return target.ok ? { ok: true, message: { type, userId: target.message.userId } } : target;
    }
    case "invite":
    case "approve":
    case "mute": {
      const target = withUserId(record, type);
      return target.ok ? { ok: true, message: { type, userId: target.message.userId } } : target;
    }
    case "set_role": {
      const target = withUserId(record, type);
      if (!target.ok) return target;
      if (typeof record.role !== "string" || !ASSIGNABLE_ROLES.has(record.role)) {
        return fail("invalid_role", "role is cohost, speaker or listener.", type);
      }
      return { ok: true, message: { type, userId: target.message.userId, role: record.role as AssignableRole } };
    }
    case "remove": {
      const target = withUserId(record, type);
      if (!target.ok) return target;
      if (record.block !== undefined && typeof record.block !== "boolean") {
        return fail("bad_frame", "block is true or false.", type);
      }
      return { ok: true, message: { type, userId: target.message.userId, block: record.block === true } };
    }
    case "pin": {
      const url = normalizePinUrl(record.url);
      if (url === null) return fail("invalid_url", `The pin is an http(s) link of at most ${MAX_PIN_URL_LENGTH} characters.`, type);
      return { ok: true, message: { type, url } };
    }
    case "set_captions": {
      if (typeof record.on !== "boolean") return fail("bad_frame", "on is true or false.", type);
      return { ok: true, message: { type, on: record.on } };
    }
    case "set_speak_policy": {
      if (typeof record.policy !== "string" || !SPEAK_POLICIES.has(record.policy)) {
        return fail("invalid_policy", "policy is everyone, followed or invited.", type);
      }
      return { ok: true, message: { type, policy: record.policy as SpeakPolicy } };
    }
    default:
      return fail("unknown_type", `Unknown frame type "${type.slice(0, 40)}".`);
  }
}

const SERVER_TYPES = new Set<string>([
  "snapshot",
  "update",
  "reactions",
  "caption",
  "error",
  "removed",
  "ended",
  "pong",
] satisfies ServerMessageType[]);

/** Parses one frame the room sent (used by the web app and tests); checks the shape of each type's required fields. */
export function parseServerMessage(raw: unknown): Parsed<ServerMessage> {
  const frame = parseObject(raw, Number.POSITIVE_INFINITY);
  if (!frame.ok) return frame;
  const record = frame.record;
  const type = record.type;
  if (!SERVER_TYPES.has(type)) return fail("unknown_type", `Unknown frame type "${type.slice(0, 40)}".`);
  const valid =
    (type === "snapshot" &&
      isObject(record.space) &&
      isObject(record.you) &&
      Array.isArray(record.participants) &&
      Array.isArray(record.hands) &&
      typeof record.listenerCount === "number") ||
    (type === "update" && (record.participants === undefined || Array.isArray(record.participants))) ||
    (type === "reactions" && isObject(record.counts) && Array.isArray(record.recent)) ||
    (type === "caption" &&
      typeof record.speakerId === "string" &&
      typeof record.handle === "string" &&
      typeof record.text === "string" &&
      typeof record.final === "boolean" &&
      typeof record.startMs === "number" &&
      typeof record.endMs === "number") ||
    (type === "error" && typeof record.code === "string" && typeof record.message === "string") ||
    (type === "removed" && typeof record.blocked === "boolean") ||
    (type === "ended" && typeof record.reason === "string") ||
    type === "pong";
  if (!valid) return fail("bad_frame", `The ${type} frame is missing fields.`, type);
  return { ok: true, message: record as ServerMessage };
}
