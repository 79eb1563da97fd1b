// Signed audio-session tokens: Calls session ids are visible to the whole room (in track refs), so the routes only
// act on a session whose token proves it was created for this person in this Space.
import { signToken, verifyToken } from "../auth/tokens.ts";

const AUDIENCE = "spaces-audio";
/** Long enough for any Space; the room still checks the person's role on every call. */
const AUDIO_TOKEN_TTL_SECONDS = 24 * 3600;

export type AudioSessionClaims = { userId: string; spaceId: string; sessionId: string };

export function signAudioSession(secret: string, claims: AudioSessionClaims): Promise<string> {
  return signToken(secret, AUDIENCE, claims.userId, { sp: claims.spaceId, sid: claims.sessionId }, AUDIO_TOKEN_TTL_SECONDS);
}

/** The Calls session id the token stands for, if it is valid for exactly this person and Space; else null. */
export async function verifyAudioSession(secret: string, token: string, userId: string, spaceId: string): Promise<string | null> {
  const payload = await verifyToken(secret, AUDIENCE, token);
  if (!payload || payload.sub !== userId || payload.sp !== spaceId || typeof payload.sid !== "string") return null;
  return payload.sid;
}
