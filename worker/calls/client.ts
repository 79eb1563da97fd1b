// Typed client of the Cloudflare Calls HTTP API (there is no official npm client). Runs in workerd
// and Node; every method resolves to a CallsResult and never throws for API or network errors.
import type {
  CallsClientOptions,
  CallsError,
  CallsMethodName,
  CallsResult,
  CloseTracksRequest,
  CloseTracksResponse,
  GetSessionResponse,
  NewSessionResponse,
  NewTracksRequest,
  NewTracksResponse,
  RenegotiateResponse,
  SessionDescription,
  TrackError,
  TrackObject,
  WithTrackErrors,
} from "./types.ts";
import {
  closeAdapters,
  newAdapters,
  type AdapterResult,
  type CloseAdaptersValue,
  type NewAdaptersValue,
  type RawCallResponse,
} from "./adapters.ts";
import type { CloseAdapterRequest, NewAdapterRequest } from "./schema/adapters.ts";

export const DEFAULT_CALLS_BASE_URL = "https://rtc.live.cloudflare.com/v1";
const DEFAULT_TIMEOUT_MS = 10_000;

export type CallsClient = {
  /** Create a session; with an offer the SFU answers at once (publishing sessions often do). */
  newSession(offer?: SessionDescription): Promise<CallsResult<NewSessionResponse>>;
  /** Push local tracks (body carries the browser's offer) or pull remote tracks (the SFU offers). */
  newTracks(sessionId: string, body: NewTracksRequest): Promise<CallsResult<WithTrackErrors<NewTracksResponse>>>;
  /** Send the browser's answer to an offer the SFU made (after requiresImmediateRenegotiation). */
  renegotiate(sessionId: string, answer: SessionDescription): Promise<CallsResult<RenegotiateResponse>>;
  closeTracks(sessionId: string, body: CloseTracksRequest): Promise<CallsResult<WithTrackErrors<CloseTracksResponse>>>;
  getSession(sessionId: string): Promise<CallsResult<GetSessionResponse>>;
  /** WebSocket adapters (1–4): the SFU dials each endpoint; item errors are reported per track, 503 when all failed. */
  newAdapters(body: NewAdapterRequest): Promise<AdapterResult<NewAdaptersValue>>;
  /** Idempotent: an adapter that is already gone (`adapter_not_found`) counts as closed. */
  closeAdapters(body: CloseAdapterRequest): Promise<AdapterResult<CloseAdaptersValue>>;
};

export function createCallsClient(options: CallsClientOptions): CallsClient {
  const baseUrl = (options.baseUrl ?? DEFAULT_CALLS_BASE_URL).replace(/\/+$/, "");
  const appPath = `/apps/${encodeURIComponent(options.appId)}`;
  // Calling the global fetch as a method of another object throws "Illegal invocation" in workerd.
  const doFetch = options.fetch ?? ((input: string, init: RequestInit) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  /** One HTTP call: the status and parsed JSON body, or a network failure; every call is reported to onCall. */
  async function send(method: CallsMethodName, httpMethod: "GET" | "POST" | "PUT", path: string, body?: unknown): Promise<RawCallResponse> {
    const fullPath = appPath + path;
    const started = Date.now();
    let status = 0;
    try {
      const init: RequestInit = {
        method: httpMethod,
        headers: {
          authorization: `Bearer ${options.appSecret}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        signal: AbortSignal.timeout(timeoutMs),
      };
      if (body !== undefined) init.body = JSON.stringify(body);
      let response: Response;
      try {
        response = await doFetch(baseUrl + fullPath, init);
      } catch (cause) {
        return failure(0, "network_error", `Calls API unreachable: ${describe(cause)}`);
      }
      status = response.status;
      const text = await response.text().catch(() => "");
      return { ok: true, status, body: parseJson(text), text };
    } finally {
      options.onCall?.({ method, httpMethod, path: fullPath, status, ms: Date.now() - started });
    }
  }

  async function request<T>(
    method: CallsMethodName,
    httpMethod: "GET" | "POST" | "PUT",
    path: string,
    body?: unknown,
  ): Promise<CallsResult<T>> {
    const raw = await send(method, httpMethod, path, body);
    if (!raw.ok) return raw;
    const { status, body: parsed, text } = raw;
    const topError = readErrorFields(parsed);
    if (topError) return failure(status, topError.errorCode, topError.errorDescription);
    if (status < 200 || status > 299) {
      return failure(status, `http_${status}`, `Calls API answered ${status}${text ? `: ${text.slice(0, 200)}` : ""}`);
    }
    if (parsed === undefined || typeof parsed !== "object" || parsed === null) {
      return failure(status, "invalid_response", "Calls API answered with a body that is not a JSON object");
    }
    return { ok: true, value: parsed as T };
  }

  const session = (sessionId: string) => `/sessions/${encodeURIComponent(sessionId)}`;

  return {
    newSession: (offer) =>
      request("newSession", "POST", "/sessions/new", offer ? { sessionDescription: offer } : {}),
    newTracks: async (sessionId, body) =>
      withTrackErrors(await request<NewTracksResponse>("newTracks", "POST", `${session(sessionId)}/tracks/new`, body)),
    renegotiate: (sessionId, answer) =>
      request("renegotiate", "PUT", `${session(sessionId)}/renegotiate`, { sessionDescription: answer }),
    closeTracks: async (sessionId, body) =>
      withTrackErrors(await request<CloseTracksResponse>("closeTracks", "PUT", `${session(sessionId)}/tracks/close`, body)),
    getSession: (sessionId) => request("getSession", "GET", session(sessionId)),
    newAdapters: (body) => newAdapters(send, body),
    closeAdapters: (body) => closeAdapters(send, body),
  };
}

/** Per-track failures stay on their track objects and are also collected into `trackErrors`. */
function withTrackErrors<T extends { tracks?: TrackObject[] }>(
  result: CallsResult<T>,
): CallsResult<WithTrackErrors<T>> {
  if (!result.ok) return result;
  const tracks = Array.isArray(result.value.tracks) ? result.value.tracks : [];
  const trackErrors: TrackError[] = [];
  for (const track of tracks) {
    const error = readErrorFields(track);
    if (error) trackErrors.push({ trackName: track.trackName, mid: track.mid, sessionId: track.sessionId, ...error });
  }
  return { ok: true, value: { ...result.value, tracks, trackErrors } };
}

function readErrorFields(value: unknown): { errorCode: string; errorDescription: string } | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { errorCode, errorDescription } = value as Record<string, unknown>;
  if (typeof errorCode !== "string" || errorCode === "") return undefined;
  return { errorCode, errorDescription: typeof errorDescription === "string" ? errorDescription : errorCode };
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function failure(status: number, errorCode: string, errorDescription: string): CallsError {
  return { ok: false, status, errorCode, errorDescription };
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.name === "TimeoutError" ? "request timed out" : cause.message;
  return String(cause);
}
