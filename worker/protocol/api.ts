// JSON shapes of the HTTP API, shared by the Worker (which builds them) and the web app (which reads them).
export type PublicUser = {
  id: string;
  handle: string;
  displayName: string;
  /** The profile picture (a same-origin URL), or null/absent for initials. */
  avatarUrl?: string | null;
};

/** `hostEligibleFollowers`: the followers the host gate counts (accounts old enough), the figure `canHost` compares. */
export type Me = PublicUser & {
  followers: number; following: number; canHost: boolean; hostMinFollowers: number; hostEligibleFollowers: number;
};

export type Profile = PublicUser & { followers: number; following: number; followedByMe: boolean; isMe: boolean };

// Enums are declared once, as values, here: the D1 schema, the zod validators and the room parser all use these.
export const SPACE_STATES = ["draft", "scheduled", "live", "ended", "cancelled"] as const;
export type SpaceState = (typeof SPACE_STATES)[number];
export const SPEAK_POLICIES = ["everyone", "followed", "invited"] as const;
export type SpeakPolicy = (typeof SPEAK_POLICIES)[number];

export type TicketInfo = {
  priceCents: number;
  currency: string;
  capacity: number;
  sold: number;
  /** Seats neither sold nor held by an open checkout. */
  left: number;
};

export type SpaceView = {
  id: string;
  title: string;
  state: SpaceState;
  host: PublicUser;
  speakPolicy: SpeakPolicy;
  topics: string[];
  /** ISO 8601 UTC instants, or null. */
  scheduledFor: string | null;
  startedAt: string | null;
  endedAt: string | null;
  listenerCount: number;
  peakListeners: number;
  ticket: TicketInfo | null;
  /** The host turned recording on before the start: the Space is recorded from its first second (consent notice). */
  recordOnStart: boolean;
  /** Present when a viewer is signed in: whether they asked to be reminded of this Space. */
  remindedByMe?: boolean;
  /**
   * Present on `GET /api/spaces/:id`: whether someone without an account may listen to this Space while it is live
   * (the GUEST_LISTENING setting is on and the Space needs no ticket), so pages offer guest listening only then.
   */
  guestListening?: boolean;
};

/** `waitlist: true` (on 409 sold_out): the person may join the Space's waitlist (POST /api/spaces/:id/waitlist). */
export type ApiErrorBody = { error: { code: string; message: string; fields?: string[]; requestId?: string; waitlist?: boolean } };

/** A host's Spaces, grouped: `GET /api/me/spaces` (drafts included) and `GET /api/users/:handle/spaces` (public). */
export type HostSpaces = {
  live: SpaceView[];
  /** Scheduled, soonest first. */
  upcoming: SpaceView[];
  /** Not scheduled and not started; only the host sees these. */
  drafts: SpaceView[];
  /** Ended or cancelled, newest first. */
  past: SpaceView[];
};

/** D1 read replication: the latest bookmark the client saw; sent back so its reads never go back in time. */
export const D1_BOOKMARK_HEADER = "x-d1-bookmark";
