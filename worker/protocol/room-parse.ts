// Parsers for room frames, one per direction: each returns a typed message or an error value and never throws.
// Client frames are checked by one zod schema per type (enums from room.ts and api.ts, declared once); each bad
// field maps to the contract's error code. bench/parse-frames.ts measures the cost (README: "Frame parsing").
import { z } from "zod";
import { SPEAK_POLICIES } from "./api.ts";
import {
  ASSIGNABLE_ROLES,
  MAX_PIN_URL_LENGTH,
  REACTION_EMOJI,
  type ClientMessage,
  type ClientMessageType,
  type ErrorMessage,
  type RoomErrorCode,
  type ServerMessage,
  type ServerMessageType,
} from "./room.ts";

export type Parsed<T> = { ok: true; message: T } | { ok: false; error: ErrorMessage };

/** Frames larger than this are refused unread; the largest valid client frame (a pin) is about 2.1 KB. */
export const MAX_CLIENT_FRAME_CHARS = 4096;

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

const userId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const pinUrl = z.unknown().transform((value, ctx) => {
  const url = normalizePinUrl(value);
  if (url === null) ctx.addIssue({ code: "custom", message: "not a safe http(s) link" });
  return url ?? "";
});
const bare = <T extends ClientMessageType>(type: T) => z.object({ type: z.literal(type) });
const withUser = <T extends ClientMessageType>(type: T) => z.object({ type: z.literal(type), userId });

/** One schema per client frame type; unknown keys are dropped. */
const CLIENT_FRAMES: { [T in ClientMessageType]: z.ZodType<Extract<ClientMessage, { type: T }>> } = {
  react: z.object({ type: z.literal("react"), emoji: z.enum(REACTION_EMOJI) }),
  raise_hand: bare("raise_hand"),
  lower_hand: z.object({ type: z.literal("lower_hand"), userId: userId.optional() }),
  invite: withUser("invite"),
  accept_invite: bare("accept_invite"),
  decline_invite: bare("decline_invite"),
  approve: withUser("approve"),
  set_role: z.object({ type: z.literal("set_role"), userId, role: z.enum(ASSIGNABLE_ROLES) }),
  mute: withUser("mute"),
  unmute: bare("unmute"),
  mute_all: bare("mute_all"),
  remove: z.object({ type: z.literal("remove"), userId, block: z.boolean().optional() }),
  pin: z.object({ type: z.literal("pin"), url: pinUrl }),
  unpin: bare("unpin"),
  set_speak_policy: z.object({ type: z.literal("set_speak_policy"), policy: z.enum(SPEAK_POLICIES) }),
  set_captions: z.object({ type: z.literal("set_captions"), on: z.boolean() }),
  end: bare("end"),
  ping: bare("ping"),
};

/** "a, b or c": the enums' own values in people's words. */
const oneOf = (values: readonly string[]) => `${values.slice(0, -1).join(", ")} or ${values.at(-1)}`;

/** The error a bad field earns, with a sentence that names the frame. */
const FIELD_ERRORS: Record<string, { code: RoomErrorCode; message: (type: string) => string }> = {
  emoji: { code: "invalid_emoji", message: () => `Reactions are one of ${REACTION_EMOJI.join(" ")}.` },
  role: { code: "invalid_role", message: () => `role is ${oneOf(ASSIGNABLE_ROLES)}.` },
  policy: { code: "invalid_policy", message: () => `policy is ${oneOf(SPEAK_POLICIES)}.` },
  url: { code: "invalid_url", message: () => `The pin is an http(s) link of at most ${MAX_PIN_URL_LENGTH} characters.` },
  userId: { code: "bad_frame", message: (type) => `${type} needs a userId.` },
  block: { code: "bad_frame", message: () => "block is true or false." },
  on: { code: "bad_frame", message: () => "on is true or false." },
};

const isClientType = (type: string): type is ClientMessageType => Object.hasOwn(CLIENT_FRAMES, type);

/** Parses one frame a client sent to the room. */
export function parseClientMessage(raw: unknown): Parsed<ClientMessage> {
  const frame = parseObject(raw, MAX_CLIENT_FRAME_CHARS);
  if (!frame.ok) return frame;
  const type = frame.record.type;
  if (!isClientType(type)) return fail("unknown_type", `Unknown frame type "${type.slice(0, 40)}".`);
  const parsed = CLIENT_FRAMES[type].safeParse(frame.record);
  if (parsed.success) return { ok: true, message: parsed.data };
  const known = FIELD_ERRORS[String(parsed.error.issues[0]?.path[0])];
  return known ? fail(known.code, known.message(type), type) : fail("bad_frame", `The ${type} frame is not valid.`, type);
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
