// The one typed HTTP client of the web app: JSON in and out, errors in the contract's shape as ApiFailure.
import { D1_BOOKMARK_HEADER, type ApiErrorBody } from "#protocol/api.ts";
import { GUEST_TOKEN_HEADER } from "#protocol/guest.ts";

/** The newest D1 bookmark an answer carried: sent back so reads served by a replica never go back in time. */
let d1Bookmark: string | null = null;

/** A guest listener's pass (listening without an account); sent along so the audio routes know the guest. */
let guestToken: string | null = null;
export function setGuestToken(token: string | null): void {
  guestToken = token;
}

export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: string[];
  /** The refusal says the person may join the Space's waitlist (409 sold_out). */
  readonly waitlist: boolean;
  constructor(status: number, code: string, message: string, fields: string[] = [], waitlist = false) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.waitlist = waitlist;
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    const headers: Record<string, string> = body === undefined ? {} : { "Content-Type": "application/json" };
    if (guestToken) headers[GUEST_TOKEN_HEADER] = guestToken;
    if (d1Bookmark) headers[D1_BOOKMARK_HEADER] = d1Bookmark;
    response = await fetch(`/api${path}`, {
      method,
      credentials: "same-origin",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiFailure(0, "network_error", "Could not reach Spaces. Check your connection and try again.");
  }
  d1Bookmark = response.headers.get(D1_BOOKMARK_HEADER) ?? d1Bookmark;
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    const error = (json as ApiErrorBody | null)?.error;
    throw new ApiFailure(
      response.status,
      error?.code ?? "http_error",
      error?.message ?? `The server answered ${response.status}.`,
      error?.fields ?? [],
      error?.waitlist === true,
    );
  }
  return json as T;
}

export const api = {
  get: <T>(path: string) => request<T>("GET", path),
  post: <T>(path: string, body?: unknown) => request<T>("POST", path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, body),
  delete: <T>(path: string, body?: unknown) => request<T>("DELETE", path, body),
};

/** A message for people from any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiFailure) return error.message;
  return "Something went wrong. Please try again.";
}
