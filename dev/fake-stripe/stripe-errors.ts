// Shared bits of the fake Stripe: its pinned API version, Stripe-style ids, and errors in Stripe's JSON shape.
import { randomBytes } from "node:crypto";

export const API_VERSION = "2026-10-28.endive";

export class StripeApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | undefined;
  readonly param: string | undefined;
  constructor(status: number, type: string, message: string, code?: string, param?: string) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
  }
  toBody() {
    return { error: { type: this.type, message: this.message, code: this.code, param: this.param } };
  }
}

export const invalid = (message: string, param?: string, code = "parameter_invalid") =>
  new StripeApiError(400, "invalid_request_error", message, code, param);
export const missing = (kind: string, id: string) =>
  new StripeApiError(404, "invalid_request_error", `No such ${kind}: '${id}'`, "resource_missing", "id");

export function stripeId(prefix: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return prefix + [...randomBytes(24)].map((byte) => alphabet[byte % alphabet.length]).join("");
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);
