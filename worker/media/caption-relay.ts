// Where the media object's coalesced captions go at each flush: caption frames to the room (which fans them out) and
// the final ones into D1's transcript. A failed side is logged, never thrown: captions are best effort.
import { db } from "../db/client.ts";
import { insertSegments } from "../db/transcripts.ts";
import type { CaptionMessage, TrackRef } from "../protocol/room.ts";
import { log } from "./adapter-sockets.ts";
import type { CaptionBatch } from "./caption-batch.ts";

/** The one room method the media object calls, named here so media/ needs nothing from space/ (no module cycle). */
type CaptionRelay = { relayCaptions(frames: CaptionMessage[]): Promise<void>; adapterFailed(userId: string, track: TrackRef): Promise<void> };

function roomRelay(env: Env, spaceId: string): CaptionRelay {
  return env.SPACE_ROOM.get(env.SPACE_ROOM.idFromName(spaceId)) as unknown as CaptionRelay;
}

/** Tells the room that this speaker's track is no longer heard (captions and recording of it stop). Logged, never thrown. */
export async function reportAdapterFailed(env: Env, spaceId: string, userId: string, track: TrackRef): Promise<void> {
  try {
    await roomRelay(env, spaceId).adapterFailed(userId, track);
  } catch (error) {
    log("media_adapter_report_failed", { spaceId, userId, error: String(error) });
  }
}

/** Empties the batch into the room and the transcript. */
export async function relayCaptions(env: Env, spaceId: string, batch: CaptionBatch): Promise<void> {
  if (batch.isEmpty) return;
  const { frames, finals } = batch.take();
  const results = await Promise.allSettled([
    roomRelay(env, spaceId).relayCaptions(frames),
    insertSegments(db(env), finals.map((c) => ({ spaceId, speakerId: c.speakerId, handle: c.handle, text: c.text, startMs: c.startMs, endMs: c.endMs }))),
  ]);
  for (const result of results) {
    if (result.status === "rejected") log("media_caption_flush_failed", { spaceId, error: String(result.reason) });
  }
}
