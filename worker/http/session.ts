// Session cookie handling and the Origin check on mutating calls (CSRF defence on top of SameSite=Lax).
import type { MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { SESSION_TTL_SECONDS, signSession, verifySession } from "../auth/tokens.ts";
import { db } from "../db/client.ts";
import { createSession, endSessionRow, sessionUser } from "../db/sessions.ts";
import type { AppContext, AppEnv } from "./context.ts";
import { ApiError } from "./errors.ts";

export const SESSION_COOKIE = "spaces_session";
const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
// Stripe posts webhooks server-to-server with no Origin; the signature is its authentication.
const ORIGIN_EXEMPT = ["/api/stripe/webhook"];

function isLocalhost(url: URL): boolean {
  return url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
}

/** The cookie's signed claim (user and session id), not yet checked against the session rows. */
async function signedCookie(c: AppContext): Promise<{ userId: string; sessionId: string } | null> {
  const token = getCookie(c, SESSION_COOKIE);
  return token ? await verifySession(c.env.SESSION_SECRET, token) : null;
}

/** The signed cookie's session, if its server-side row is still there. */
async function cookieSession(c: AppContext): Promise<{ userId: string; sessionId: string } | null> {
  const signed = await signedCookie(c);
  if (!signed) return null;
  return (await sessionUser(db(c.env), signed.sessionId, Date.now())) === signed.userId ? signed : null;
}

/**
 * POST /spaces/:id/join reads the session row in the same D1 statement as the Space and the person (db/join-facts.ts),
 * so the join costs one round trip to D1, not two: there the middleware hands on the signed claim and sets no user.
 */
const CHECKS_OWN_SESSION = /^\/api\/spaces\/[^/]+\/join$/;

export const loadSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method === "POST" && CHECKS_OWN_SESSION.test(c.req.path)) {
    c.set("sessionClaim", await signedCookie(c));
    c.set("userId", null);
  } else {
    c.set("userId", (await cookieSession(c))?.userId ?? null);
  }
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
  const sessionId = await createSession(db(c.env), userId, Date.now(), SESSION_TTL_SECONDS * 1000);
  setCookie(c, SESSION_COOKIE, await signSession(c.env.SESSION_SECRET, userId, sessionId), {
    httpOnly: true,
    sameSite: "Lax",
    secure: !isLocalhost(new URL(c.req.url)),
    path: "/",
    maxAge: SESSION_TTL_SECONDS,
  });
}

/** Logout: the session row goes, so the cookie is worthless even if a copy of it survives elsewhere. */
export async function endSession(c: AppContext): Promise<void> {
  const session = await cookieSession(c);
  if (session) await endSessionRow(db(c.env), session.sessionId);
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: !isLocalhost(new URL(c.req.url)) });
}
