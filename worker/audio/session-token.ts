// Signed audio-session tokens: Calls session ids are visible to the whole room (in track refs), so the routes only
// act on a session whose token proves it was created for this person in this Space.
import { jwtVerify, SignJWT } from "jose";

const ISSUER = "spaces";
const AUDIENCE = "spaces-audio";
/** Long enough for any Space; the room still checks the person's role on every call. */
const AUDIO_TOKEN_TTL_SECONDS = 24 * 3600;

export type AudioSessionClaims = { userId: string; spaceId: string; sessionId: string };

const key = (secret: string) => new TextEncoder().encode(secret);

export function signAudioSession(secret: string, claims: AudioSessionClaims): Promise<string> {
  return new SignJWT({ sp: claims.spaceId, sid: claims.sessionId })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${AUDIO_TOKEN_TTL_SECONDS}s`)
    .sign(key(secret));
}

/** The Calls session id the token stands for, if it is valid for exactly this person and Space; else null. */
export async function verifyAudioSession(secret: string, token: string, userId: string, spaceId: string): Promise<string | null> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { algorithms: ["HS256"], issuer: ISSUER, audience: AUDIENCE });
    if (payload.sub !== userId || payload.sp !== spaceId || typeof payload.sid !== "string") return null;
    return payload.sid;
  } catch {
    return null;
  }
}
