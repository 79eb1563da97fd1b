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

/**
 * The largest adapter frame the media object reads: one protobuf packet of 48 kHz stereo s16 PCM. The SFU sends
 * 20 ms packets (3,840 bytes of PCM); 64 KiB allows packets over 300 ms. The runtime has already received the whole
 * message when webSocketMessage runs (workerd offers no per-socket limit; its own cap closes bigger messages with
 * 1009 before any code runs: 1 MiB in workerd, 32 MiB for Durable Objects on Cloudflare since 2025), so this cap
 * keeps an oversized frame from being decoded, buffered or recorded, not from being received.
 */
export const ADAPTER_MAX_FRAME_BYTES = 64 * 1024;

/** WebSocket close code for a message too big to process (RFC 6455 §7.4.1). */
export const CLOSE_TOO_BIG = 1009;

export function log(event: string, fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ event, ...fields }));
}
