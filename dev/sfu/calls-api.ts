// The Calls HTTP endpoints of the stand-in SFU, independent of node:http: validate a request body,
// run it on the right session, and shape the reply like Cloudflare Calls does.
import type { SessionDescription, TrackObject } from "../../worker/calls/types.ts";
import type { PublishedTrack } from "./published-track.ts";
import { CallsApiError, SfuSession } from "./sfu-session.ts";

export type ApiReply = { status: number; body: unknown };

export class SessionRegistry {
  private readonly sessions = new Map<string, SfuSession>();
  private stopped = false;

  create(): SfuSession {
    // A request that was already in flight when the SFU stopped must not open a connection nobody will close.
    if (this.stopped) throw new CallsApiError(503, "service_unavailable", "the SFU is shutting down");
    const session = new SfuSession(crypto.randomUUID().replaceAll("-", ""));
    this.sessions.set(session.id, session);
    return session;
  }

  get(sessionId: string): SfuSession {
    const session = this.sessions.get(sessionId);
    if (!session) throw new CallsApiError(404, "session_not_found", `session ${sessionId} does not exist`);
    return session;
  }

  async destroyAll(): Promise<void> {
    this.stopped = true;
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(sessions.map((session) => session.destroy()));
  }
}

/** `path` is what follows `/v1/apps/{appId}`, e.g. `/sessions/abc/tracks/new`. */
export async function handleCallsApi(
  registry: SessionRegistry,
  method: string,
  path: string,
  body: unknown,
): Promise<ApiReply> {
  const parts = path.split("/").filter(Boolean);
  if (parts[0] !== "sessions" || parts.length < 2) return notFound(method, path);
  if (parts.length === 2 && parts[1] === "new" && method === "POST") return newSession(registry, body);
  const session = registry.get(decodeURIComponent(parts[1] ?? ""));
  const action = parts.slice(2).join("/");
  if (action === "" && method === "GET") return { status: 200, body: { tracks: session.tracks() } };
  if (action === "tracks/new" && method === "POST") return session.serialize(() => newTracks(registry, session, body));
  if (action === "renegotiate" && method === "PUT") return session.serialize(() => renegotiate(session, body));
  if (action === "tracks/close" && method === "PUT") return session.serialize(() => closeTracks(session, body));
  return notFound(method, path);
}

async function newSession(registry: SessionRegistry, body: unknown): Promise<ApiReply> {
  const offer = optionalDescription(objectBody(body));
  if (offer && offer.type !== "offer") throw invalid("sessionDescription must be an offer");
  const session = registry.create();
  if (!offer) return { status: 201, body: { sessionId: session.id } };
  const answer = await session.serialize(() => session.answer(offer));
  return { status: 201, body: { sessionId: session.id, sessionDescription: answer } };
}

async function newTracks(registry: SessionRegistry, session: SfuSession, body: unknown): Promise<ApiReply> {
  const request = objectBody(body);
  const offer = optionalDescription(request);
  const tracks = trackList(request);
  if (tracks.some((track) => track.location === undefined)) throw invalid("each track needs a location: 'local' or 'remote'");
  const local = tracks.filter((track) => track.location === "local");
  const remote = tracks.filter((track) => track.location === "remote");
  if (local.length > 0 && !offer) throw invalid("publishing local tracks needs the browser's offer in sessionDescription");
  if (remote.length > 0 && offer) throw invalid("the stand-in pulls remote tracks only in a request without an offer");
  if (offer) {
    const announced = local.map((track) => ({ trackName: requiredString(track, "trackName"), mid: requiredString(track, "mid") }));
    const answer = await session.answer(offer);
    const results = announced.map(({ trackName, mid }) => session.publish(trackName, mid));
    return { status: 200, body: { sessionDescription: answer, requiresImmediateRenegotiation: false, tracks: results } };
  }
  const wanted = remote.map((track) => ({ sessionId: requiredString(track, "sessionId"), trackName: requiredString(track, "trackName") }));
  const failures: TrackObject[] = [];
  const sources: PublishedTrack[] = [];
  for (const { sessionId, trackName } of wanted) {
    const source = findSource(registry, sessionId, trackName);
    if (source) sources.push(source);
    else failures.push({ location: "remote", sessionId, trackName, errorCode: "track_not_found", errorDescription: `session ${sessionId} publishes no open track named ${trackName}` });
  }
  if (sources.length === 0) return { status: 200, body: { requiresImmediateRenegotiation: false, tracks: failures } };
  const { offer: sfuOffer, tracks: pulled } = await session.pull(sources);
  return { status: 200, body: { sessionDescription: sfuOffer, requiresImmediateRenegotiation: true, tracks: [...pulled, ...failures] } };
}

async function renegotiate(session: SfuSession, body: unknown): Promise<ApiReply> {
  const answer = optionalDescription(objectBody(body));
  if (!answer) throw invalid("sessionDescription is required");
  await session.renegotiate(answer);
  return { status: 200, body: {} };
}

async function closeTracks(session: SfuSession, body: unknown): Promise<ApiReply> {
  const request = objectBody(body);
  const mids = trackList(request).map((track) => requiredString(track, "mid"));
  if (mids.length === 0) throw invalid("tracks must list at least one { mid }");
  const force = request.force === true;
  const result = await session.close(mids, optionalDescription(request), force);
  return { status: 200, body: result };
}

function findSource(registry: SessionRegistry, sessionId: string, trackName: string): PublishedTrack | undefined {
  try {
    return registry.get(sessionId).findPublished(trackName);
  } catch {
    return undefined;
  }
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid("the body must be a JSON object");
  return body as Record<string, unknown>;
}

function optionalDescription(request: Record<string, unknown>): SessionDescription | undefined {
  const description = request.sessionDescription;
  if (description === undefined || description === null) return undefined;
  const { type, sdp } = description as Record<string, unknown>;
  if ((type !== "offer" && type !== "answer") || typeof sdp !== "string" || sdp === "") {
    throw invalid("sessionDescription must be { type: 'offer' | 'answer', sdp }");
  }
  return { type, sdp };
}

function trackList(request: Record<string, unknown>): Record<string, unknown>[] {
  const { tracks } = request;
  if (!Array.isArray(tracks)) throw invalid("tracks must be an array");
  if (tracks.length > 64) throw invalid("at most 64 tracks per call");
  return tracks.map((track) => {
    if (typeof track !== "object" || track === null) throw invalid("each track must be an object");
    const { location } = track as Record<string, unknown>;
    if (location !== undefined && location !== "local" && location !== "remote") {
      throw invalid("a track's location must be 'local' or 'remote'");
    }
    return track as Record<string, unknown>;
  });
}

function requiredString(track: Record<string, unknown>, field: string): string {
  const value = track[field];
  if (typeof value !== "string" || value === "") throw invalid(`each track needs a ${field}`);
  return value;
}

function invalid(description: string): CallsApiError {
  return new CallsApiError(400, "invalid_request", description);
}

function notFound(method: string, path: string): ApiReply {
  return { status: 404, body: { errorCode: "not_found", errorDescription: `no endpoint ${method} ${path}` } };
}
