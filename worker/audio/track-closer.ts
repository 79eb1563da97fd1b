// Moderation on the audio itself: tracks whose owner lost the right to publish (the room's `close_track` effect:
// demoted, removed, blocked, replaced, Space ended) are closed at the SFU with force, whatever the owner's browser does.
import type { CallsClient } from "../calls/client.ts";
import type { TrackRef } from "../protocol/room.ts";

export type OwnedTrack = { userId: string; track: TrackRef };

/** Force-closes one published track: the session is asked for the track's mid, then closed without renegotiation. */
export async function forceCloseTrack(calls: CallsClient, track: TrackRef): Promise<{ ok: boolean; detail?: string }> {
  const session = await calls.getSession(track.sessionId);
  if (!session.ok) return { ok: false, detail: `getSession ${session.errorCode}` };
  const mids = session.value.tracks
    .filter((t) => t.location === "local" && t.trackName === track.trackName && t.mid)
    .map((t) => ({ mid: t.mid as string }));
  // Gone already (collected by the SFU after 30 s without media): nothing left to silence. A muted track reports
  // "inactive" too, yet could start sending again, so status is no reason to skip the close.
  if (mids.length === 0) return { ok: true };
  const closed = await calls.closeTracks(track.sessionId, { tracks: mids, force: true });
  if (!closed.ok) return { ok: false, detail: `closeTracks ${closed.errorCode}` };
  // A track closed earlier answers close_track_error ("doesn't exist or was already closed"): silent either way.
  const failed = closed.value.trackErrors.map((e) => e.errorCode).filter((code) => code !== "close_track_error");
  return failed.length === 0 ? { ok: true } : { ok: false, detail: `closeTracks ${failed.join(",")}` };
}

export async function forceCloseTracks(calls: CallsClient, spaceId: string, tracks: OwnedTrack[]): Promise<void> {
  await Promise.all(
    tracks.map(async ({ userId, track }) => {
      const result = await forceCloseTrack(calls, track).catch((error: unknown) => ({ ok: false, detail: String(error) }));
      console.log(JSON.stringify({ event: result.ok ? "audio_track_closed" : "audio_track_close_failed", spaceId, userId, trackName: track.trackName, detail: result.detail }));
    }),
  );
}
