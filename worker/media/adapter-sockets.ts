// Small helpers of the media object's adapter sockets: claims from the Worker's header and the socket attachment,
// structured logs.
import type { AdapterClaims } from "./adapter-token.ts";

export function parseClaims(header: string | null): AdapterClaims | null {
  if (!header) return null;
  try {
    const claims = JSON.parse(header) as AdapterClaims;
    return typeof claims.userId === "string" && typeof claims.adapterKey === "string" && claims.track ? claims : null;
  } catch {
    return null;
  }
}

/** 50 packets a second per track: the attachment is deserialized once per socket (again only after a wake). */
const claimsCache = new WeakMap<WebSocket, AdapterClaims>();

export function claimsOf(ws: WebSocket): AdapterClaims | null {
  let claims = claimsCache.get(ws);
  if (!claims) {
    claims = (ws.deserializeAttachment() as AdapterClaims | null) ?? undefined;
    if (claims) claimsCache.set(ws, claims);
  }
  return claims ?? null;
}

export function log(event: string, fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ event, ...fields }));
}
