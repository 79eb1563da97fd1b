// Signed tokens with jose, HS256 with a pinned issuer and one audience per use: session cookie, room join, audio session.
import { jwtVerify, SignJWT, type JWTPayload } from "jose";

const ISSUER = "spaces";
const SESSION_AUDIENCE = "spaces-session";
const JOIN_AUDIENCE = "spaces-join";
export const SESSION_TTL_SECONDS = 30 * 24 * 3600;
export const JOIN_TTL_SECONDS = 60;

// One imported HMAC key per secret and isolate: jose imports a raw key on every sign and verify, and the join path
// signs or verifies several tokens per request (session cookie, join token, audio session).
const keyCache = new Map<string, Promise<CryptoKey>>();
function keyFor(secret: string): Promise<CryptoKey> {
  if (!secret || secret.length < 16) throw new Error("SESSION_SECRET is missing or shorter than 16 characters");
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    keyCache.set(secret, key);
  }
  return key;
}

/** Signs an HS256 JWT for one audience (what the token is for) with the pinned issuer and an expiry. */
export async function signToken(
  secret: string,
  audience: string,
  subject: string,
  claims: JWTPayload,
  ttlSeconds: number,
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(subject)
    .setIssuer(ISSUER)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(await keyFor(secret));
}

/** The payload of a valid token for this audience (algorithm, issuer and expiry checked), or null. */
export async function verifyToken(secret: string, audience: string, token: string): Promise<(JWTPayload & { sub: string }) | null> {
  try {
    // A token without an expiry would be good forever: every token we sign has one, so one without is refused.
    const { payload } = await jwtVerify(token, await keyFor(secret), { algorithms: ["HS256"], issuer: ISSUER, audience, requiredClaims: ["exp"] });
    return typeof payload.sub === "string" ? (payload as JWTPayload & { sub: string }) : null;
  } catch {
    return null;
  }
}

/** The session cookie: the user and the id of the server-side session row it stands for. */
export function signSession(secret: string, userId: string, sessionId: string): Promise<string> {
  return signToken(secret, SESSION_AUDIENCE, userId, { sid: sessionId }, SESSION_TTL_SECONDS);
}

/** User and session id of a validly signed session token, or null (expired, forged, wrong audience, no session id). */
export async function verifySession(secret: string, token: string): Promise<{ userId: string; sessionId: string } | null> {
  const payload = await verifyToken(secret, SESSION_AUDIENCE, token);
  return payload && typeof payload.sid === "string" ? { userId: payload.sub, sessionId: payload.sid } : null;
}

/** What the room learns about a person from the Worker; signed so the DO only ever sees verified identities. */
export type JoinClaims = {
  userId: string;
  handle: string;
  displayName: string;
  spaceId: string;
  /** The host follows this person (for the "people the host follows" speak policy). */
  hostFollows: boolean;
  /** Their profile picture's URL, so the room shows it on the stage and in the listener grid (absent: initials). */
  avatarUrl?: string | null;
};

/** A verified join token: its claims, plus its id and expiry, which the room keeps so each token opens one socket. */
export type VerifiedJoin = JoinClaims & { tokenId: string; expiresAt: number };

export function signJoinToken(secret: string, claims: JoinClaims): Promise<string> {
  // `jti` makes every token distinct, so the room can refuse a second use of the same one.
  const payload = {
    jti: crypto.randomUUID(), h: claims.handle, n: claims.displayName, sp: claims.spaceId, hf: claims.hostFollows,
    ...(claims.avatarUrl ? { a: claims.avatarUrl } : {}),
  };
  return signToken(secret, JOIN_AUDIENCE, claims.userId, payload, JOIN_TTL_SECONDS);
}

/** Claims of a valid join token for exactly this Space, or null (also for a token without an id: it could not be single-use). */
export async function verifyJoinToken(secret: string, token: string, spaceId: string): Promise<VerifiedJoin | null> {
  const payload = await verifyToken(secret, JOIN_AUDIENCE, token);
  if (!payload || payload.sp !== spaceId || typeof payload.jti !== "string" || typeof payload.exp !== "number") return null;
  return {
    userId: payload.sub,
    handle: String(payload.h),
    displayName: String(payload.n),
    spaceId,
    hostFollows: payload.hf === true,
    avatarUrl: typeof payload.a === "string" ? payload.a : null,
    tokenId: payload.jti,
    expiresAt: payload.exp * 1000,
  };
}

const GUEST_AUDIENCE = "spaces-guest";
/** A guest's credential for the audio routes lasts as long as a long listen; the room join itself stays 60 s. */
export const GUEST_TTL_SECONDS = 6 * 3600;

/** Lets guest `guestId` open a pull-only audio session in `spaceId` (guests have no session cookie). */
export function signGuestToken(secret: string, guestId: string, spaceId: string): Promise<string> {
  return signToken(secret, GUEST_AUDIENCE, guestId, { sp: spaceId }, GUEST_TTL_SECONDS);
}

/** The guest id of a valid guest token for exactly this Space, or null. */
export async function verifyGuestToken(secret: string, token: string, spaceId: string): Promise<string | null> {
  const payload = await verifyToken(secret, GUEST_AUDIENCE, token);
  return payload && payload.sp === spaceId ? payload.sub : null;
}
