// The one error contract: `{ error: { code, message } }` written by one helper, and the domain error that carries a
// code and a kind (not an HTTP status) out of domain code; the HTTP layer maps kinds to statuses in one place.
import type { ApiErrorBody } from "./api.ts";

/** What an error may carry besides its code and message (see ApiErrorBody). */
export type ErrorExtra = { fields?: string[]; requestId?: string; waitlist?: boolean };

export function errorBody(code: string, message: string, extra: ErrorExtra = {}): ApiErrorBody {
  return { error: { code, message, ...extra } };
}

/** A JSON error response in the contract's shape, for places outside Hono's context (the room's upgrade path). */
export function errorResponse(status: number, code: string, message: string, extra?: ErrorExtra): Response {
  return Response.json(errorBody(code, message, extra), { status });
}

/** What went wrong, in domain terms; `app.ts` turns each kind into its HTTP status. */
export type DomainErrorKind = "invalid" | "payment_required" | "forbidden" | "not_found" | "conflict" | "rate_limited" | "upstream";

export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  readonly code: string;
  /** Extra fields for the error body, e.g. `waitlist: true` on a sold-out refusal. */
  readonly extra: ErrorExtra;
  constructor(kind: DomainErrorKind, code: string, message: string, extra: ErrorExtra = {}) {
    super(message);
    this.kind = kind;
    this.code = code;
    this.extra = extra;
  }
}
