// Wire frames of the live room WebSocket, both directions; shared by the SpaceRoom DO and the web app (no worker imports).
import type { SpeakPolicy } from "./api.ts";

/** Roles a `set_role` frame may assign; there is only ever the one host. */
export const ASSIGNABLE_ROLES = ["cohost", "speaker", "listener"] as const;
export type AssignableRole = (typeof ASSIGNABLE_ROLES)[number];
export type Role = "host" | AssignableRole;

export const MAX_COHOSTS = 2;
export const MAX_SPEAKERS = 10;
export const MAX_PIN_URL_LENGTH = 2048;
export const REACTIONS_PER_SECOND = 5;

export const REACTION_EMOJI = ["👏", "😂", "💯", "❤️", "🔥", "🙏", "👋", "✊", "🤔", "✨"] as const;
export type ReactionEmoji = (typeof REACTION_EMOJI)[number];

/** A published audio track in the SFU (filled in by the audio side through the DO's setTrack RPC). */
export type TrackRef = { sessionId: string; trackName: string };

/** Who muted a speaker: a host/co-host mute can only be lifted by the speaker themselves. */
export type MutedBy = "self" | "moderator";

/** Someone on the stage (host, co-hosts, speakers); listeners are only counted. */
export type Participant = {
  userId: string;
  handle: string;
  displayName: string;
  role: Exclude<Role, "listener">;
  muted: boolean;
  mutedBy: MutedBy | null;
  /** False while they are away within the reconnect grace period. */
  connected: boolean;
  track: TrackRef | null;
  /** Profile picture URL when they have one. */
  avatarUrl?: string | null;
  /** Present while the server cannot hear this track (its SFU adapter failed): no captions or recording of it until
   *  they publish again. */
  captionsLost?: true;
};

/** A listener shown in the room's audience grid (the first LISTENER_SAMPLE_SIZE by join order). */
export type ListenerEntry = { userId: string; handle: string; displayName: string; avatarUrl?: string | null };
export const LISTENER_SAMPLE_SIZE = 24;

/** One raised hand; host and co-hosts see the queue oldest first. */
export type HandEntry = { userId: string; handle: string; displayName: string; raisedAt: number; avatarUrl?: string | null };

/** The receiving person's own standing in the room. */
export type YouState = {
  userId: string;
  role: Role;
  muted: boolean;
  mutedBy: MutedBy | null;
  handRaised: boolean;
  invited: boolean;
};

/** Whether this Space shows captions: the host's switch, or "unavailable" when no speech-to-text is configured here. */
export type CaptionsState = "on" | "off" | "unavailable";

export type RoomSpace = { id: string; title: string; hostId: string; startedAt: number; speakPolicy: SpeakPolicy };

// ---- client → room ----

export type ClientMessage =
  | { type: "react"; emoji: ReactionEmoji }
  | { type: "raise_hand" }
  /** Lowers your own hand; host/co-hosts may pass someone else's userId to dismiss it. */
  | { type: "lower_hand"; userId?: string }
  | { type: "invite"; userId: string }
  | { type: "accept_invite" }
  | { type: "decline_invite" }
  | { type: "approve"; userId: string }
  | { type: "set_role"; userId: string; role: AssignableRole }
  | { type: "mute"; userId: string }
  | { type: "unmute" }
  | { type: "mute_all" }
  | { type: "remove"; userId: string; block?: boolean }
  | { type: "pin"; url: string }
  | { type: "unpin" }
  | { type: "set_speak_policy"; policy: SpeakPolicy }
  /** Host and co-hosts turn the Space's captions on or off (on by default). */
  | { type: "set_captions"; on: boolean }
  | { type: "end" }
  | { type: "ping" };

export type ClientMessageType = ClientMessage["type"];

// ---- room → client ----

export type SnapshotMessage = {
  type: "snapshot";
  space: RoomSpace;
  you: YouState;
  /** Host first, then co-hosts, then speakers in the order they came on stage. */
  participants: Participant[];
  /** The hand queue, oldest first: filled for host and co-hosts, empty for everyone else. */
  hands: HandEntry[];
  pin: string | null;
  listenerCount: number;
  /** The first listeners (not on stage), oldest first; the rest are only counted. */
  listeners?: ListenerEntry[];
  captions: CaptionsState;
  /** The host is recording this Space (everyone sees a REC badge; going on stage means being recorded). */
  recording: boolean;
};

/** A change; every field is optional and absent fields did not change. */
export type UpdateMessage = {
  type: "update";
  /** Stage entries added or changed (upsert by userId). */
  participants?: Participant[];
  /** userIds that left the stage. */
  gone?: string[];
  /** Hands raised (append in this order); only host and co-hosts get these. */
  handsAdded?: HandEntry[];
  /** Hands lowered, approved or dismissed; only host and co-hosts get these. */
  handsRemoved?: string[];
  you?: YouState;
  pin?: string | null;
  speakPolicy?: SpeakPolicy;
  listenerCount?: number;
  /** The listener sample, whole, when it changed. */
  listeners?: ListenerEntry[];
  captions?: CaptionsState;
  recording?: boolean;
};

export type ReactionSender = { userId: string; handle: string; emoji: ReactionEmoji };

/** Reactions coalesced over a short window: counts by emoji and a few recent senders. */
export type ReactionsMessage = {
  type: "reactions";
  counts: Partial<Record<ReactionEmoji, number>>;
  recent: ReactionSender[];
  /** Present when the count changed since it was last sent (it rides along instead of a separate update). */
  listenerCount?: number;
  /** The listener sample, whole, when it changed since it was last sent. */
  listeners?: ListenerEntry[];
};

/**
 * Speech-to-text of one stage track. Interims (`final: false`) replace the speaker's previous interim and arrive
 * coalesced (latest wins per speaker); finals are never dropped. Times are ms from the Space's start.
 */
export type CaptionMessage = {
  type: "caption";
  speakerId: string;
  handle: string;
  text: string;
  final: boolean;
  startMs: number;
  endMs: number;
};

export type RoomErrorCode =
  | "bad_frame"
  | "too_large"
  | "unknown_type"
  | "invalid_emoji"
  | "invalid_url"
  | "invalid_role"
  | "invalid_policy"
  | "forbidden"
  /** Only the Space's host may do that (the same code the HTTP API uses). */
  | "not_host"
  /** The host has blocked this person from their Spaces. */
  | "blocked"
  | "not_found"
  | "not_invited"
  | "not_on_stage"
  | "speakers_full"
  | "cohosts_full"
  | "rate_limited"
  | "space_ended"
  | "captions_unavailable"
  /** A guest (listening without an account) sent something only members may do: react, raise a hand, … */
  | "sign_up_required"
  /** This person already has the room open on as many sockets as it allows (sent once, then the socket closes). */
  | "too_many_connections";

export type ErrorMessage = { type: "error"; code: RoomErrorCode; message: string; frame?: string };

export type ServerMessage =
  | SnapshotMessage
  | UpdateMessage
  | ReactionsMessage
  | CaptionMessage
  | ErrorMessage
  | { type: "removed"; blocked: boolean }
  | { type: "ended"; reason: EndReason }
  | { type: "pong" };

export type ServerMessageType = ServerMessage["type"];

export type EndReason = "host_ended" | "host_left";

/** Close codes the room uses when it closes a socket itself. */
export const CLOSE_REMOVED = 4003;
export const CLOSE_ENDED = 4000;
/** After a `too_many_connections` error: the person has the room open in too many places already. */
export const CLOSE_TOO_MANY_SOCKETS = 4029;

/**
 * The room socket's subprotocol. A client opens `new WebSocket(url, ["spaces", joinToken])` (POST /join hands out that
 * list as `protocols`), so the token never sits in a URL; the room answers `Sec-WebSocket-Protocol: spaces`.
 */
export const ROOM_SUBPROTOCOL = "spaces";
