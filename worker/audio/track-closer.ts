// Moderation on the audio itself: tracks whose owner lost the right to publish (demoted, removed, blocked, Space
// ended) are closed at the SFU with force, so nobody keeps hearing them whatever the owner's browser does.
import type { CallsClient } from "../calls/client.ts";
import type { TrackRef } from "../protocol/room.ts";
import type { RoomState } from "../space/room-model.ts";

export type OwnedTrack = { userId: string; track: TrackRef };

/** Every published track in a live room, by owner; an ended room publishes nothing. */
export function publishedTracks(room: RoomState): Map<string, TrackRef> {
  const tracks = new Map<string, TrackRef>();
  if (room.phase !== "live") return tracks;
  for (const userId of room.stage) {
    const track = room.people.get(userId)?.track;
    if (track) tracks.set(userId, track);
  }
  return tracks;
}

/** Tracks present before an event and gone or replaced after it. */
export function lostTracks(before: Map<string, TrackRef>, room: RoomState): OwnedTrack[] {
  const after = publishedTracks(room);
  const lost: OwnedTrack[] = [];
  for (const [userId, track] of before) {
    const now = after.get(userId);
    if (!now || now.sessionId !== track.sessionId || now.trackName !== track.trackName) lost.push({ userId, track });
  }
  return lost;
}

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
