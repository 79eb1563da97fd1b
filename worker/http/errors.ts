// HTTP errors in the contract's one shape: ApiError thrown from any route, and the one mapping of domain errors
// (worker/protocol/errors.ts) to statuses, both written by errorBody.
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ApiErrorBody } from "../protocol/api.ts";
import { errorBody, type DomainErrorKind } from "../protocol/errors.ts";

export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly fields: string[] | undefined;
  constructor(status: ContentfulStatusCode, code: string, message: string, fields?: string[]) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
  toBody(): ApiErrorBody {
    return errorBody(this.code, this.message, this.fields ? { fields: this.fields } : {});
  }
}

export const DOMAIN_STATUS: Record<DomainErrorKind, ContentfulStatusCode> = {
  invalid: 400,
  payment_required: 402,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  upstream: 502,
};

export const notFound = (what: string) => new ApiError(404, "not_found", `${what} was not found.`);
export const forbidden = (message = "You are not allowed to do that.") => new ApiError(403, "forbidden", message);
/** The one code for "only the host of this Space may do that". */
export const notHost = (message = "Only the host of this Space can do that.") => new ApiError(403, "not_host", message);
export const unauthorized = () => new ApiError(401, "unauthorized", "Please log in first.");
