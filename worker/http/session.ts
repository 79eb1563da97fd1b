// Session cookie handling and the Origin check on mutating calls (CSRF defence on top of SameSite=Lax).
import type { MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { SESSION_TTL_SECONDS, signSession, verifySession } from "../auth/tokens.ts";
import type { AppContext, AppEnv } from "./context.ts";
import { ApiError } from "./errors.ts";

export const SESSION_COOKIE = "spaces_session";
const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
// Stripe posts webhooks server-to-server with no Origin; the signature is its authentication.
const ORIGIN_EXEMPT = ["/api/stripe/webhook"];

function isLocalhost(url: URL): boolean {
  return url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
}

export const loadSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = getCookie(c, SESSION_COOKIE);
  c.set("userId", token ? await verifySession(c.env.SESSION_SECRET, token) : null);
  await next();
};

export const checkOrigin: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (MUTATING.has(c.req.method) && !ORIGIN_EXEMPT.includes(c.req.path)) {
    const origin = c.req.header("Origin");
    const allowed = new Set([new URL(c.req.url).origin]);
    if (c.env.APP_ORIGIN) allowed.add(c.env.APP_ORIGIN);
    // Browsers always send Origin on these requests; a cookie-bearing request without one is not from our pages.
    const hasSession = Boolean(getCookie(c, SESSION_COOKIE));
    if ((origin && !allowed.has(origin)) || (!origin && hasSession)) {
      throw new ApiError(403, "bad_origin", "This request did not come from the Spaces web app.");
    }
  }
  await next();
};

export async function startSession(c: AppContext, userId: string): Promise<void> {
  setCookie(c, SESSION_COOKIE, await signSession(c.env.SESSION_SECRET, userId), {
    httpOnly: true,
    sameSite: "Lax",
    secure: !isLocalhost(new URL(c.req.url)),
    path: "/",
    maxAge: SESSION_TTL_SECONDS,
  });
}

export function endSession(c: AppContext): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: !isLocalhost(new URL(c.req.url)) });
}
