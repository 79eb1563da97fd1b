// Wire shapes of the Cloudflare Calls (Realtime SFU) HTTP API, shared by the typed client and the
// local stand-in in dev/sfu, plus the client's result type.

export type SessionDescription = { type: "offer" | "answer"; sdp: string };

/** Publish a track the session's browser sends, identified by its transceiver `mid` in the offer. */
export type LocalTrackRequest = { location: "local"; mid: string; trackName: string };

/** Pull a track that another session publishes. */
export type RemoteTrackRequest = { location: "remote"; sessionId: string; trackName: string };

export type TrackRequest = LocalTrackRequest | RemoteTrackRequest;

/** One track in a response; `errorCode` is set when only this track failed. */
export type TrackObject = {
  location?: "local" | "remote";
  trackName?: string;
  sessionId?: string;
  mid?: string;
  errorCode?: string;
  errorDescription?: string;
};

/** Calls' SessionResourceStatus; "initializing" is for DataChannels still connecting. */
export type TrackStatus = "active" | "inactive" | "initializing";

export type NewSessionRequest = { sessionDescription?: SessionDescription };
export type NewSessionResponse = { sessionId: string; sessionDescription?: SessionDescription };

export type NewTracksRequest = { sessionDescription?: SessionDescription; tracks: TrackRequest[] };
export type NewTracksResponse = {
  sessionDescription?: SessionDescription;
  requiresImmediateRenegotiation: boolean;
  tracks: TrackObject[];
};

export type RenegotiateRequest = { sessionDescription: SessionDescription };
export type RenegotiateResponse = Record<string, never>;

/** `force: true` closes at the SFU without an SDP exchange (how a host silences a speaker). */
export type CloseTracksRequest = {
  tracks: { mid: string }[];
  sessionDescription?: SessionDescription;
  force: boolean;
};
/** Each result names only the `mid` it closed (and an error when that track was absent or already closed). */
export type CloseTracksResponse = {
  sessionDescription?: SessionDescription;
  requiresImmediateRenegotiation: boolean;
  tracks: { mid: string; errorCode?: string; errorDescription?: string }[];
};

export type SessionTrack = TrackObject & { status: TrackStatus };
export type GetSessionResponse = { tracks: SessionTrack[] };

/** Top-level error body of the Calls API; the same fields appear on a single failed track. */
export type CallsErrorBody = { errorCode: string; errorDescription: string };

/** A track that failed inside an otherwise successful call. */
export type TrackError = {
  trackName?: string;
  mid?: string;
  sessionId?: string;
  errorCode: string;
  errorDescription: string;
};

/** Responses that carry tracks get `trackErrors` added by the client: empty when every track succeeded. */
export type WithTrackErrors<T> = T & { trackErrors: TrackError[] };

export type CallsError = {
  ok: false;
  /** HTTP status; 0 when the request never got a response (network error, timeout). */
  status: number;
  errorCode: string;
  errorDescription: string;
};

export type CallsResult<T> = { ok: true; value: T } | CallsError;

export type CallsMethodName =
  | "newSession"
  | "newTracks"
  | "renegotiate"
  | "closeTracks"
  | "getSession"
  | "newAdapters"
  | "closeAdapters";

/** Called once per HTTP request, success or failure, so callers can count Calls API calls per join. */
export type CallsCallObserver = (call: {
  method: CallsMethodName;
  httpMethod: "GET" | "POST" | "PUT";
  path: string;
  status: number;
  ms: number;
}) => void;

export type CallsClientOptions = {
  appId: string;
  appSecret: string;
  /** Defaults to https://rtc.live.cloudflare.com/v1 */
  baseUrl?: string;
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  onCall?: CallsCallObserver;
  /** Per-request timeout; defaults to 10 000 ms. */
  timeoutMs?: number;
};
