// Hono typing shared by every route group: Worker bindings and per-request variables.
import type { Context, MiddlewareHandler } from "hono";
import { unauthorized } from "./errors.ts";

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    /** The signed-in person, their session row checked; null signed out (and on routes that check the row themselves). */
    userId: string | null;
    /** The session cookie's signed claim, on the routes that read its session row in their own statement (POST /join). */
    sessionClaim?: { userId: string; sessionId: string } | null;
  };
};
export type AppContext = Context<AppEnv>;

/** The signed-in user's id, or a 401 in the contract's shape. */
export function requireUserId(c: AppContext): string {
  const userId = c.get("userId");
  if (!userId) throw unauthorized();
  return userId;
}

/**
 * The caller's address for per-address limits. Cloudflare sets CF-Connecting-IP on every request and overwrites any
 * the client sends; without it (local runs that do not set it) all callers share one bucket.
 */
export function clientAddress(c: AppContext): string {
  return c.req.header("cf-connecting-ip") ?? "unknown";
}

/** Route middleware: signed out is 401 before the body is read or validated. */
export const signedIn: MiddlewareHandler<AppEnv> = async (c, next) => {
  requireUserId(c);
  await next();
};
