// Zod schemas of the Calls (Realtime SFU) WebSocket adapter endpoints, written by hand from Cloudflare's published
// OpenAPI description: repository cloudflare/cloudflare-docs, public/realtime/static/realtime-api-2024-05-21.yaml
// (paths /apps/{appId}/adapters/websocket/new and …/close; components AdapterObject, AdapterStatObject,
// NewAdapterRequest/Response, CloseAdapterRequest/Response, AdapterRequestError).
import { z } from "zod";

// Requests are strict: the real API silently ignores a field it does not know, so a misspelt field would pass
// unnoticed there. Responses are read leniently (unknown fields dropped): a field Cloudflare adds later must not
// turn a working adapter into a failure, while every field our code relies on is still checked.

/** The optional errorCode/errorDescription a response and each of its items may carry. */
const itemError = { errorCode: z.string().optional(), errorDescription: z.string().optional() };

/** components.schemas.AdapterRequestError: the 400 (`decoding_error`) and 406 (`invalid_params`) body. */
export const adapterRequestErrorSchema = z.object({ errorCode: z.string(), errorDescription: z.string() });

// AdapterObject.endpoint: "format: uri, pattern: ^wss?://" and "Custom WebSocket request headers and HTTP redirects
// are not supported" (so credentials for our endpoint travel in its URL).
const endpoint = z
  .string()
  .min(1)
  .regex(/^wss?:\/\//, "endpoint is a ws:// or wss:// URL")
  .refine((value) => URL.canParse(value), "endpoint is a valid URL");
const trackName = z.string().min(1);

/** NewAdapterRequest item, `location: remote` branch of its oneOf: stream an existing track out (egress). */
export const remoteAdapterRequestSchema = z.strictObject({
  location: z.literal("remote"),
  sessionId: z.string().min(1),
  trackName,
  endpoint,
  // "pcm for an Opus audio source track, decoded to 48 kHz stereo PCM, or jpeg for video"
  outputCodec: z.enum(["pcm", "jpeg"]),
  // "Processing mode is selected by location … Providing this field does not change the selected mode."
  mode: z.enum(["stream", "buffer"]).optional(),
});

/** NewAdapterRequest item, `location: local` branch: ingest PCM from the endpoint into a new track. */
export const localAdapterRequestSchema = z.strictObject({
  location: z.literal("local"),
  trackName,
  endpoint,
  inputCodec: z.literal("pcm"),
  mode: z.enum(["stream", "buffer"]).optional(),
});

/** POST /apps/{appId}/adapters/websocket/new — components.schemas.NewAdapterRequest (1–4 tracks). */
export const newAdapterRequestSchema = z.strictObject({
  tracks: z.array(z.discriminatedUnion("location", [remoteAdapterRequestSchema, localAdapterRequestSchema])).min(1).max(4),
});

/** One NewAdapterResponse item: `adapterId` on success, `errorCode` + `errorDescription` when only this item failed. */
export const newAdapterItemSchema = z.object({
  location: z.enum(["local", "remote"]).optional(),
  // "A successful local creation returns a newly allocated publishing session ID. Remote creation responses omit this field."
  sessionId: z.string().optional(),
  trackName: z.string().optional(),
  endpoint: z.string().optional(),
  outputCodec: z.enum(["pcm", "jpeg"]).optional(),
  inputCodec: z.literal("pcm").optional(),
  mode: z.enum(["stream", "buffer"]).optional(),
  adapterId: z.string().optional(),
  ...itemError,
});

/** 200 (at least one item succeeded) and 503 (none did) — components.schemas.NewAdapterResponse. */
export const newAdapterResponseSchema = z.object({ ...itemError, tracks: z.array(newAdapterItemSchema).optional() });

/** POST /apps/{appId}/adapters/websocket/close — components.schemas.CloseAdapterRequest (1–4 adapter ids). */
export const closeAdapterRequestSchema = z.strictObject({
  tracks: z.array(z.strictObject({ adapterId: z.string().min(1) })).min(1).max(4),
});

/** One CloseAdapterResponse item (AdapterStatObject + item error); `bytesProcessed` is omitted for already-closed ones. */
export const closeAdapterItemSchema = z.object({
  adapterId: z.string().optional(),
  bytesProcessed: z.number().optional(),
  ...itemError,
});

/** 200 (at least one close succeeded; already-closed counts as success) and 503 — CloseAdapterResponse. */
export const closeAdapterResponseSchema = z.object({ ...itemError, tracks: z.array(closeAdapterItemSchema).optional() });

export type RemoteAdapterRequest = z.infer<typeof remoteAdapterRequestSchema>;
export type LocalAdapterRequest = z.infer<typeof localAdapterRequestSchema>;
export type NewAdapterRequest = z.infer<typeof newAdapterRequestSchema>;
export type NewAdapterItem = z.infer<typeof newAdapterItemSchema>;
export type NewAdapterResponse = z.infer<typeof newAdapterResponseSchema>;
export type CloseAdapterRequest = z.infer<typeof closeAdapterRequestSchema>;
export type CloseAdapterItem = z.infer<typeof closeAdapterItemSchema>;
export type CloseAdapterResponse = z.infer<typeof closeAdapterResponseSchema>;
