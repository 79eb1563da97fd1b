// Signed tokens with jose: the session cookie JWT and the short-lived room join token, both HS256 with pinned claims.
import { jwtVerify, SignJWT } from "jose";

const ISSUER = "spaces";
const SESSION_AUDIENCE = "spaces-session";
const JOIN_AUDIENCE = "spaces-join";
export const SESSION_TTL_SECONDS = 30 * 24 * 3600;
export const JOIN_TTL_SECONDS = 60;

const keyCache = new Map<string, Uint8Array>();
function keyFor(secret: string): Uint8Array {
  if (!secret || secret.length < 16) throw new Error("SESSION_SECRET is missing or shorter than 16 characters");
  let key = keyCache.get(secret);
  if (!key) keyCache.set(secret, (key = new TextEncoder().encode(secret)));
  return key;
}

export async function signSession(secret: string, userId: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setAudience(SESSION_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${SESSION_TTL_SECONDS}s`)
    .sign(keyFor(secret));
}

/** The user id of a valid session token, or null for anything else (expired, forged, wrong audience). */
export async function verifySession(secret: string, token: string): Promise<string | null> {
  try {
    const { payload } = await jwtVerify(token, keyFor(secret), {
      algorithms: ["HS256"],
      issuer: ISSUER,
      audience: SESSION_AUDIENCE,
    });
    return typeof payload.sub === "string" ? payload.sub : null;
  } catch {
    return null;
  }
}

/** What the room learns about a person from the Worker; signed so the DO only ever sees verified identities. */
export type JoinClaims = {
  userId: string;
  handle: string;
  displayName: string;
  spaceId: string;
  /** The host follows this person (for the "people the host follows" speak policy). */
  hostFollows: boolean;
};

export async function signJoinToken(secret: string, claims: JoinClaims): Promise<string> {
  return new SignJWT({ h: claims.handle, n: claims.displayName, sp: claims.spaceId, hf: claims.hostFollows })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setAudience(JOIN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${JOIN_TTL_SECONDS}s`)
    .sign(keyFor(secret));
}

/** Claims of a valid join token for exactly this Space, or null. */
export async function verifyJoinToken(secret: string, token: string, spaceId: string): Promise<JoinClaims | null> {
  try {
    const { payload } = await jwtVerify(token, keyFor(secret), {
      algorithms: ["HS256"],
      issuer: ISSUER,
      audience: JOIN_AUDIENCE,
    });
    if (payload.sp !== spaceId || typeof payload.sub !== "string") return null;
    return {
      userId: payload.sub,
      handle: String(payload.h),
      displayName: String(payload.n),
      spaceId,
      hostFollows: payload.hf === true,
    };
  } catch {
    return null;
  }
}
