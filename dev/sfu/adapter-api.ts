// The Calls WebSocket adapter endpoints of the stand-in SFU (`adapters/websocket/new` and `/close`),
// validated and answered the way Cloudflare's Realtime OpenAPI schema (2024-05-21) describes them.
import type { ApiReply, SessionRegistry } from "./calls-api.ts";
import type { PublishedTrack } from "./published-track.ts";
import { WebSocketAdapter, type AdapterLog } from "./websocket-adapter.ts";

const MAX_ADAPTERS_PER_CALL = 4;

type AdapterItem = { trackName?: string; adapterId?: string; endpoint?: string; errorCode?: string; errorDescription?: string };
type CloseItem = { adapterId: string; bytesProcessed?: number };

export class AdapterRegistry {
  private readonly adapters = new Map<string, WebSocketAdapter>();

  add(adapter: WebSocketAdapter): void {
    this.adapters.set(adapter.id, adapter);
  }

  get(adapterId: string): WebSocketAdapter | undefined {
    return this.adapters.get(adapterId);
  }

  open(): WebSocketAdapter[] {
    return [...this.adapters.values()].filter((adapter) => !adapter.closed);
  }

  closeAll(): void {
    for (const adapter of this.adapters.values()) adapter.close("sfu stopped");
  }
}

/** `action` is `new` or `close`; `body` is the parsed JSON (a parse failure never gets here). */
export async function handleAdapterApi(
  adapters: AdapterRegistry,
  sessions: SessionRegistry,
  action: string,
  body: unknown,
  log: AdapterLog,
): Promise<ApiReply> {
  if (action === "new") return newAdapters(adapters, sessions, body, log);
  if (action === "close") return closeAdapters(adapters, body);
  return { status: 404, body: { errorCode: "not_found", errorDescription: `no endpoint adapters/websocket/${action}` } };
}

async function newAdapters(adapters: AdapterRegistry, sessions: SessionRegistry, body: unknown, log: AdapterLog): Promise<ApiReply> {
  const tracks = trackList(body);
  if (!Array.isArray(tracks)) return tracks;
  const requests: Record<string, unknown>[] = [];
  for (const track of tracks) {
    for (const field of ["location", "sessionId", "trackName", "endpoint", "outputCodec", "inputCodec", "mode"]) {
      if (track[field] !== undefined && typeof track[field] !== "string") return decodingError(`${field} must be a string`);
    }
    const { location, sessionId, trackName, endpoint, outputCodec, inputCodec } = track;
    if (location !== "local" && location !== "remote") return invalidParams("each track needs location 'local' or 'remote'");
    if (!trackName) return invalidParams("each track needs a trackName");
    if (!endpoint || !isWebSocketUrl(endpoint as string)) return invalidParams("each track needs an endpoint ws:// or wss:// URL");
    if (location === "remote" && (!sessionId || !outputCodec)) return invalidParams("a remote track needs sessionId and outputCodec");
    if (location === "local" && !inputCodec) return invalidParams("a local track needs inputCodec");
    if (outputCodec !== undefined && outputCodec !== "pcm" && outputCodec !== "jpeg") return invalidParams("outputCodec must be 'pcm' or 'jpeg'");
    if (inputCodec !== undefined && inputCodec !== "pcm") return invalidParams("inputCodec must be 'pcm'");
    requests.push(track);
  }
  const items = await Promise.all(requests.map((track) => openOne(adapters, sessions, track, log)));
  const anySucceeded = items.some((item) => item.adapterId !== undefined);
  return { status: anySucceeded ? 200 : 503, body: { tracks: items } };
}

async function openOne(
  adapters: AdapterRegistry,
  sessions: SessionRegistry,
  track: Record<string, unknown>,
  log: AdapterLog,
): Promise<AdapterItem> {
  const trackName = track.trackName as string;
  const endpoint = track.endpoint as string;
  if (track.location !== "remote" || track.outputCodec !== "pcm") {
    return { trackName, errorCode: "unsupported", errorDescription: "the local SFU stand-in streams remote audio tracks as pcm only" };
  }
  const sessionId = track.sessionId as string;
  const source = findSource(sessions, sessionId, trackName);
  if (source === "no_session") return { trackName, errorCode: "session_not_found", errorDescription: `session ${sessionId} does not exist` };
  if (source === "no_track") {
    return { trackName, errorCode: "track_not_found", errorDescription: `session ${sessionId} publishes no open track named ${trackName}` };
  }
  try {
    const adapter = await WebSocketAdapter.open(source, endpoint, log);
    adapters.add(adapter);
    log("sfu_adapter_created", { adapterId: adapter.id, sessionId, trackName });
    return { trackName, adapterId: adapter.id, endpoint };
  } catch (error) {
    log("sfu_adapter_handshake_failed", { sessionId, trackName, error: String(error) });
    return { trackName, errorCode: "websocket_handshake_failed", errorDescription: "The handshake with the provided endpoint failed." };
  }
}

function closeAdapters(adapters: AdapterRegistry, body: unknown): ApiReply {
  const tracks = trackList(body);
  if (!Array.isArray(tracks)) return tracks;
  const ids: string[] = [];
  for (const track of tracks) {
    if (track.adapterId !== undefined && typeof track.adapterId !== "string") return decodingError("adapterId must be a string");
    if (!track.adapterId) return invalidParams("each track needs a non-empty adapterId");
    ids.push(track.adapterId as string);
  }
  // Idempotent: an unknown or already-closed adapter is a successful close without a byte statistic.
  const items: CloseItem[] = ids.map((adapterId) => {
    const adapter = adapters.get(adapterId);
    if (!adapter || adapter.closed) return { adapterId };
    adapter.close();
    return { adapterId, bytesProcessed: adapter.bytesProcessed };
  });
  return { status: 200, body: { tracks: items } };
}

function trackList(body: unknown): Record<string, unknown>[] | ApiReply {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return decodingError("the body must be a JSON object");
  const { tracks } = body as Record<string, unknown>;
  if (tracks === undefined) return invalidParams("tracks is required");
  if (!Array.isArray(tracks)) return decodingError("tracks must be an array");
  if (tracks.length < 1 || tracks.length > MAX_ADAPTERS_PER_CALL) {
    return invalidParams(`Expecting between 1 and ${MAX_ADAPTERS_PER_CALL} tracks in the request`);
  }
  if (tracks.some((track) => typeof track !== "object" || track === null || Array.isArray(track))) {
    return decodingError("each track must be an object");
  }
  return tracks as Record<string, unknown>[];
}

function findSource(sessions: SessionRegistry, sessionId: string, trackName: string): PublishedTrack | "no_session" | "no_track" {
  let session;
  try {
    session = sessions.get(sessionId);
  } catch {
    return "no_session";
  }
  return session.findPublished(trackName) ?? "no_track";
}

function isWebSocketUrl(endpoint: string): boolean {
  if (!/^wss?:\/\//.test(endpoint)) return false;
  try {
    new URL(endpoint);
    return true;
  } catch {
    return false;
  }
}

function decodingError(description: string): ApiReply {
  return { status: 400, body: { errorCode: "decoding_error", errorDescription: description } };
}

function invalidParams(description: string): ApiReply {
  return { status: 406, body: { errorCode: "invalid_params", errorDescription: description } };
}
