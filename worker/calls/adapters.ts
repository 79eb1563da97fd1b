// The Calls WebSocket adapter calls (egress of a published track as PCM to our endpoint): requests are checked
// against the OpenAPI-derived schemas before sending, answers are validated and split into successes and item errors.
import type { CallsError, CallsMethodName } from "./types.ts";
import {
  closeAdapterRequestSchema,
  closeAdapterResponseSchema,
  newAdapterRequestSchema,
  newAdapterResponseSchema,
  type CloseAdapterRequest,
  type NewAdapterRequest,
} from "./schema/adapters.ts";

/** What the client's transport hands back: status and parsed JSON body (undefined when not JSON), or a network failure. */
export type RawCallResponse = { ok: true; status: number; body: unknown; text: string } | CallsError;
export type SendCall = (method: CallsMethodName, httpMethod: "POST", path: string, body: unknown) => Promise<RawCallResponse>;

/** One item the SFU refused, named by what the request named it by. */
export type AdapterItemError = { trackName?: string; adapterId?: string; errorCode: string; errorDescription: string };

export type OpenedAdapter = { adapterId: string; trackName: string; sessionId?: string; endpoint?: string };
export type NewAdaptersValue = { adapters: OpenedAdapter[]; itemErrors: AdapterItemError[] };

/** `alreadyClosed`: the SFU answered `adapter_not_found` (closed earlier, or gone with its track). */
export type ClosedAdapter = { adapterId: string; bytesProcessed?: number; alreadyClosed: boolean };
export type CloseAdaptersValue = { closed: ClosedAdapter[]; itemErrors: AdapterItemError[] };

/** A failed adapter call; `itemErrors` lists each item's reason when the SFU gave them (a 503 "all failed"). */
export type AdapterCallsError = CallsError & { itemErrors: AdapterItemError[] };
export type AdapterResult<T> = { ok: true; value: T } | AdapterCallsError;

const ADAPTER_NOT_FOUND = "adapter_not_found";

const fail = (status: number, errorCode: string, errorDescription: string, itemErrors: AdapterItemError[] = []): AdapterCallsError => ({
  ok: false,
  status,
  errorCode,
  errorDescription,
  itemErrors,
});

function issuesOf(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; ");
}

/** The top-level error of a 400/406 (AdapterRequestError) or any other non-2xx answer without items. */
function requestLevelFailure(raw: Extract<RawCallResponse, { ok: true }>): AdapterCallsError {
  const body = raw.body as { errorCode?: unknown; errorDescription?: unknown } | undefined;
  if (body && typeof body.errorCode === "string" && body.errorCode !== "") {
    const description = typeof body.errorDescription === "string" ? body.errorDescription : body.errorCode;
    return fail(raw.status, body.errorCode, description);
  }
  return fail(raw.status, `http_${raw.status}`, `Calls API answered ${raw.status}${raw.text ? `: ${raw.text.slice(0, 200)}` : ""}`);
}

function itemErrorOf(item: { trackName?: string; adapterId?: string; errorCode?: string; errorDescription?: string }): AdapterItemError | null {
  if (!item.errorCode) return null;
  return {
    ...(item.trackName !== undefined ? { trackName: item.trackName } : {}),
    ...(item.adapterId !== undefined ? { adapterId: item.adapterId } : {}),
    errorCode: item.errorCode,
    errorDescription: item.errorDescription ?? item.errorCode,
  };
}

export async function newAdapters(send: SendCall, request: NewAdapterRequest): Promise<AdapterResult<NewAdaptersValue>> {
  const checked = newAdapterRequestSchema.safeParse(request);
  // Refused here with the code the SFU would answer (406 invalid_params), without spending an API call.
  if (!checked.success) return fail(406, "invalid_params", `Adapter request refused before sending: ${issuesOf(checked.error)}`);
  const raw = await send("newAdapters", "POST", "/adapters/websocket/new", checked.data);
  if (!raw.ok) return { ...raw, itemErrors: [] };
  if (raw.status !== 200 && raw.status !== 503) return requestLevelFailure(raw);
  const parsed = newAdapterResponseSchema.safeParse(raw.body);
  if (!parsed.success) return fail(raw.status, "invalid_response", `Adapter answer does not match the schema: ${issuesOf(parsed.error)}`);
  if (parsed.data.errorCode && !parsed.data.tracks) return requestLevelFailure(raw);
  const adapters: OpenedAdapter[] = [];
  const itemErrors: AdapterItemError[] = [];
  for (const item of parsed.data.tracks ?? []) {
    const error = itemErrorOf(item);
    if (error) itemErrors.push(error);
    else if (item.adapterId && item.trackName) {
      adapters.push({
        adapterId: item.adapterId,
        trackName: item.trackName,
        ...(item.sessionId ? { sessionId: item.sessionId } : {}),
        ...(item.endpoint ? { endpoint: item.endpoint } : {}),
      });
    } else {
      itemErrors.push({ ...(item.trackName ? { trackName: item.trackName } : {}), errorCode: "invalid_response", errorDescription: "An adapter item has neither an adapterId nor an error." });
    }
  }
  if (raw.status === 503 || adapters.length === 0) {
    const reasons = itemErrors.map((e) => `${e.trackName ?? "?"}: ${e.errorCode}`).join(", ");
    return fail(raw.status, "all_failed", `No adapter could be created${reasons ? ` (${reasons})` : ""}.`, itemErrors);
  }
  return { ok: true, value: { adapters, itemErrors } };
}

export async function closeAdapters(send: SendCall, request: CloseAdapterRequest): Promise<AdapterResult<CloseAdaptersValue>> {
  const checked = closeAdapterRequestSchema.safeParse(request);
  if (!checked.success) return fail(406, "invalid_params", `Adapter close refused before sending: ${issuesOf(checked.error)}`);
  const raw = await send("closeAdapters", "POST", "/adapters/websocket/close", checked.data);
  if (!raw.ok) return { ...raw, itemErrors: [] };
  if (raw.status !== 200 && raw.status !== 503) return requestLevelFailure(raw);
  const parsed = closeAdapterResponseSchema.safeParse(raw.body);
  if (!parsed.success) return fail(raw.status, "invalid_response", `Adapter close answer does not match the schema: ${issuesOf(parsed.error)}`);
  if (parsed.data.errorCode && !parsed.data.tracks) return requestLevelFailure(raw);
  const closed: ClosedAdapter[] = [];
  const itemErrors: AdapterItemError[] = [];
  for (const item of parsed.data.tracks ?? []) {
    const error = itemErrorOf(item);
    if (!item.adapterId) {
      if (error) itemErrors.push(error);
      continue;
    }
    // Close is idempotent: "Already-closed adapters count as successful closes", and one the SFU no longer knows
    // is closed as far as cleanup is concerned.
    // bytesProcessed "Omitted when unavailable … Omission does not mean zero usage", so it is passed on as is.
    if (!error) closed.push({ adapterId: item.adapterId, alreadyClosed: false, ...(item.bytesProcessed !== undefined ? { bytesProcessed: item.bytesProcessed } : {}) });
    else if (error.errorCode === ADAPTER_NOT_FOUND) closed.push({ adapterId: item.adapterId, alreadyClosed: true });
    else itemErrors.push(error);
  }
  if (closed.length === 0) {
    const reasons = itemErrors.map((e) => `${e.adapterId ?? "?"}: ${e.errorCode}`).join(", ");
    return fail(raw.status, "all_failed", `No adapter could be closed${reasons ? ` (${reasons})` : ""}.`, itemErrors);
  }
  return { ok: true, value: { closed, itemErrors } };
}
