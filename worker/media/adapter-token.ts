// Tokens in the URL the SFU dials for a track's WebSocket adapter (it sends no custom headers). Bound to one Space,
// speaker, track and adapter; long-lived because the SFU redials the SAME URL after a drop, and revoked in effect
// when the media object forgets the adapter (it then refuses the key).
import { signToken, verifyToken } from "../auth/tokens.ts";
import type { TrackRef } from "../protocol/room.ts";

const AUDIENCE = "spaces-media-adapter";
/** Longer than any Space; the media object's own record of open adapters is what ends a token's use. */
export const ADAPTER_TOKEN_TTL_SECONDS = 48 * 3600;

export type AdapterClaims = {
  spaceId: string;
  userId: string;
  handle: string;
  track: TrackRef;
  /** Random id of this adapter opening: a token for an adapter that was closed (or replaced) matches nothing. */
  adapterKey: string;
};

export function signAdapterToken(secret: string, claims: AdapterClaims): Promise<string> {
  const payload = { sp: claims.spaceId, h: claims.handle, sid: claims.track.sessionId, tn: claims.track.trackName, ak: claims.adapterKey };
  return signToken(secret, AUDIENCE, claims.userId, payload, ADAPTER_TOKEN_TTL_SECONDS);
}

/** Claims of a valid adapter token for exactly this Space, or null (forged, expired, other audience or Space). */
export async function verifyAdapterToken(secret: string, token: string, spaceId: string): Promise<AdapterClaims | null> {
  const payload = await verifyToken(secret, AUDIENCE, token);
  if (!payload || payload.sp !== spaceId) return null;
  const { h, sid, tn, ak } = payload;
  if (typeof h !== "string" || typeof sid !== "string" || typeof tn !== "string" || typeof ak !== "string") return null;
  return { spaceId, userId: payload.sub, handle: h, track: { sessionId: sid, trackName: tn }, adapterKey: ak };
}
