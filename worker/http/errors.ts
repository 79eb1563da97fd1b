// The one JSON error shape of the API: { error: { code, message } }, thrown as ApiError from any route.
import type { ContentfulStatusCode } from "hono/utils/http-status";

export type ErrorBody = { error: { code: string; message: string; fields?: string[]; requestId?: string } };

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
  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) } };
  }
}

export const notFound = (what: string) => new ApiError(404, "not_found", `${what} was not found.`);
export const forbidden = (message = "You are not allowed to do that.") => new ApiError(403, "forbidden", message);
export const unauthorized = () => new ApiError(401, "unauthorized", "Please log in first.");
