// Zod schemas of the Calls (Realtime SFU) session endpoints the client uses, written by hand from Cloudflare's
// published OpenAPI description: repository cloudflare/cloudflare-docs, public/realtime/static/realtime-api-2024-05-21.yaml
// (paths /apps/{appId}/sessions/new, …/tracks/new, …/renegotiate, …/tracks/close, …/sessions/{sessionId}).
// Contract tests hold the client's requests and the local stand-in's responses to these, so neither can drift alone.
import { z } from "zod";

// The spec leaves additionalProperties open; the schemas are strict anyway, because a field the real API does not
// know is silently ignored there (a misspelt request field) or never sent (a response field our code relies on).

/** components.schemas.SessionDescription */
export const sessionDescriptionSchema = z.strictObject({ sdp: z.string(), type: z.enum(["answer", "offer"]) });

/** The optional errorCode/errorDescription every response object and every per-item result may carry. */
const itemError = { errorCode: z.string().optional(), errorDescription: z.string().optional() };

/** components.schemas.AdapterRequestError shape, which session endpoints also answer with on a failed request. */
export const callsErrorBodySchema = z.strictObject({ errorCode: z.string(), errorDescription: z.string() });

const ridPolicy = z.enum(["none", "asciibetical"]);

/** components.schemas.TrackObject */
const trackObjectFields = {
  location: z.enum(["local", "remote"]).optional(),
  // "mid associated to track's transceiver. It also can be prefixed with # to reference … by its trackName"
  mid: z.string().optional(),
  // "Session ID of the track owner. It should be set for remote tracks only"
  sessionId: z.string().optional(),
  trackName: z.string().optional(),
  bidirectionalMediaStream: z.boolean().optional(),
  kind: z.string().optional(),
  simulcast: z
    .strictObject({ preferredRid: z.string().optional(), priorityOrdering: ridPolicy.optional(), ridNotAvailable: ridPolicy.optional() })
    .optional(),
};

/** A TrackObject in a request, with the rules the spec states in prose: remote tracks name their owner, local ones don't. */
export const trackRequestSchema = z.strictObject(trackObjectFields).superRefine((track, context) => {
  if (track.location === "remote" && !track.sessionId) context.addIssue({ code: "custom", message: "a remote track needs the owner's sessionId" });
  if (track.location === "local" && track.sessionId !== undefined) context.addIssue({ code: "custom", message: "sessionId is for remote tracks only" });
});

/** A TrackObject in a response, possibly with its own error (TracksResponse.tracks items). */
export const trackResultSchema = z.strictObject({ ...trackObjectFields, ...itemError });

/** POST /apps/{appId}/sessions/new — components.schemas.NewSessionRequest; no body at all is allowed too. */
export const newSessionRequestSchema = z.strictObject({ sessionDescription: sessionDescriptionSchema.optional() });
/** 201 — components.schemas.NewSessionResponse (sessionId required). */
export const newSessionResponseSchema = z.strictObject({
  ...itemError,
  sessionId: z.string(),
  sessionDescription: sessionDescriptionSchema.optional(),
});

/** POST /apps/{appId}/sessions/{sessionId}/tracks/new — components.schemas.TracksRequest */
export const tracksRequestSchema = z.strictObject({
  sessionDescription: sessionDescriptionSchema.optional(),
  tracks: z.array(trackRequestSchema).optional(),
  autoDiscover: z.boolean().optional(),
});
/** 200 — components.schemas.TracksResponse */
export const tracksResponseSchema = z.strictObject({
  ...itemError,
  requiresImmediateRenegotiation: z.boolean().optional(),
  sessionDescription: sessionDescriptionSchema.optional(),
  tracks: z.array(trackResultSchema).optional(),
});

/** PUT /apps/{appId}/sessions/{sessionId}/renegotiate — components.schemas.RenegotiateRequest */
export const renegotiateRequestSchema = z.strictObject({ sessionDescription: sessionDescriptionSchema.optional() });
/** 200 — components.schemas.RenegotiateResponse (the spec's example is `{}`). */
export const renegotiateResponseSchema = z.strictObject({ ...itemError, sessionDescription: sessionDescriptionSchema.optional() });

/** components.schemas.CloseTrackObject: only the mid, at least one character. */
const closeTrackObject = { mid: z.string().min(1) };

/** PUT /apps/{appId}/sessions/{sessionId}/tracks/close — components.schemas.CloseTracksRequest */
export const closeTracksRequestSchema = z
  .strictObject({
    sessionDescription: sessionDescriptionSchema.optional(),
    tracks: z.array(z.strictObject(closeTrackObject)).min(1),
    force: z.boolean(),
  })
  // "When false, sessionDescription must contain the endpoint's offer"
  .refine((body) => body.force || body.sessionDescription?.type === "offer", "force: false needs the endpoint's offer");
/** 200 — components.schemas.CloseTracksResponse: per-track results carry the mid and maybe an error, nothing else. */
export const closeTracksResponseSchema = z.strictObject({
  ...itemError,
  sessionDescription: sessionDescriptionSchema.optional(),
  tracks: z.array(z.strictObject({ ...closeTrackObject, ...itemError })).optional(),
  // "Track closure returns false."
  requiresImmediateRenegotiation: z.literal(false).optional(),
});

/** components.schemas.SessionResourceStatus */
export const sessionResourceStatusSchema = z.enum(["active", "inactive", "initializing"]);

/** GET /apps/{appId}/sessions/{sessionId} 200 — components.schemas.GetSessionStateResponse */
export const sessionStateResponseSchema = z.strictObject({
  ...itemError,
  tracks: z.array(z.strictObject({ ...trackObjectFields, status: sessionResourceStatusSchema.optional() })).optional(),
  dataChannels: z
    .array(
      z.strictObject({
        location: z.enum(["local", "remote"]).optional(),
        sessionId: z.string().optional(),
        dataChannelName: z.string().optional(),
        id: z.number().int().optional(),
        status: sessionResourceStatusSchema.optional(),
      }),
    )
    .optional(),
});

/** One schema pair per client method, keyed like CallsMethodName, with the HTTP method and path the spec gives. */
export const sessionEndpoints = {
  newSession: { httpMethod: "POST", path: /^\/apps\/[^/]+\/sessions\/new$/, status: 201, request: newSessionRequestSchema, response: newSessionResponseSchema },
  newTracks: { httpMethod: "POST", path: /^\/apps\/[^/]+\/sessions\/[^/]+\/tracks\/new$/, status: 200, request: tracksRequestSchema, response: tracksResponseSchema },
  renegotiate: { httpMethod: "PUT", path: /^\/apps\/[^/]+\/sessions\/[^/]+\/renegotiate$/, status: 200, request: renegotiateRequestSchema, response: renegotiateResponseSchema },
  closeTracks: { httpMethod: "PUT", path: /^\/apps\/[^/]+\/sessions\/[^/]+\/tracks\/close$/, status: 200, request: closeTracksRequestSchema, response: closeTracksResponseSchema },
  getSession: { httpMethod: "GET", path: /^\/apps\/[^/]+\/sessions\/[^/]+$/, status: 200, request: undefined, response: sessionStateResponseSchema },
} as const;
