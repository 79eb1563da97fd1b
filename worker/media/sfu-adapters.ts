// The SFU side of the media object's adapters: ask the SFU for one stage track's WebSocket adapter (it dials our
// endpoint, a scoped token in the URL) and close it again. Results are typed; failures are logged here.
import { callsFor } from "../audio/calls-for-env.ts";
import { log } from "./adapter-sockets.ts";
import { signAdapterToken, type AdapterClaims } from "./adapter-token.ts";

/** Asks the SFU for the track's adapter; its id, or the SFU's error code. */
export async function requestAdapter(env: Env, origin: string, opening: AdapterClaims): Promise<{ ok: true; adapterId: string } | { ok: false; code: string }> {
  const token = await signAdapterToken(env.SESSION_SECRET, opening);
  const endpoint = `${origin}/api/spaces/${encodeURIComponent(opening.spaceId)}/media/adapter?token=${encodeURIComponent(token)}`;
  const created = await callsFor(env).newAdapters({
    tracks: [{ location: "remote", sessionId: opening.track.sessionId, trackName: opening.track.trackName, endpoint, outputCodec: "pcm" }],
  });
  const adapterId = created.ok ? created.value.adapters[0]?.adapterId : undefined;
  if (adapterId) return { ok: true, adapterId };
  const code = created.ok ? "adapter_failed" : created.errorCode;
  const items = created.ok ? created.value.itemErrors : created.itemErrors;
  log("media_adapter_failed", { spaceId: opening.spaceId, userId: opening.userId, code, items: items.map((e) => e.errorCode) });
  return { ok: false, code };
}

/** Closes an adapter at the SFU; idempotent there (an adapter already gone counts as closed). */
export async function releaseAdapter(env: Env, userId: string, adapterId: string): Promise<void> {
  const closed = await callsFor(env).closeAdapters({ tracks: [{ adapterId }] });
  if (!closed.ok || closed.value.itemErrors.length > 0) {
    log("media_adapter_close_failed", { userId, adapterId, code: closed.ok ? closed.value.itemErrors[0]?.errorCode : closed.errorCode });
  } else {
    log("media_adapter_closed", { userId, adapterId });
  }
}
