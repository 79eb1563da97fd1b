// The replay of a recorded Space: GET /spaces/:id/replay (audio URL, length, transcript and reactions on the
// replay's timeline), its audio with Range, a host's replays (profile), and DELETE /spaces/:id/recording (the host,
// before retention does).
// Access follows the transcript's rule (ticketed: ticket holders, the host and the stage).
import { Hono } from "hono";
import { db } from "../db/client.ts";
import { markRecordingDeleted, recordingOf, replaysOfHost } from "../db/recordings.ts";
import type { Recording } from "../db/schema.ts";
import { segmentsOf } from "../db/transcripts.ts";
import { findUserByHandle, findUserById } from "../db/users.ts";
import { deleteRecordingObjects } from "../media/recording/retention.ts";
import type { HostReplays, ReplayReactions, ReplayResponse } from "../protocol/replay.ts";
import type { TranscriptSegment } from "../protocol/transcript.ts";
import { serveObject } from "./byte-range.ts";
import type { AppContext, AppEnv } from "./context.ts";
import { ApiError, notFound } from "./errors.ts";
import { hostedSpace } from "./space-input.ts";
import { readableSpace } from "./transcript.ts";
import { handleSchema, param } from "./validate.ts";

const noRecording = () => new ApiError(404, "no_recording", "This Space has no recording.");

/** The playable recording of a Space the caller may hear; 404 no_recording (410 recording_deleted once deleted). */
export async function playableRecording(c: AppContext): Promise<{ recording: Recording; spaceId: string; title: string; hostId: string }> {
  const space = await readableSpace(c, "replay");
  const recording = await recordingOf(db(c.env), space.id);
  if (!recording) throw noRecording();
  if (recording.deletedAt !== null) throw new ApiError(410, "recording_deleted", "The host or the 30-day retention deleted this recording.");
  return { recording, spaceId: space.id, title: space.title, hostId: space.hostId };
}

/** Transcript segments moved onto a window of the recording [fromMs, toMs) of the Space's timeline, from its start. */
export function segmentsWithin(segments: TranscriptSegment[], fromMs: number, toMs: number): TranscriptSegment[] {
  return segments
    .filter((s) => s.endMs > fromMs && s.startMs < toMs)
    .map((s) => ({ ...s, startMs: Math.max(0, s.startMs - fromMs), endMs: Math.min(toMs, s.endMs) - fromMs }));
}

export const replayRoutes = new Hono<AppEnv>()
  .get("/spaces/:id/replay", async (c) => {
    const { recording, spaceId, title, hostId } = await playableRecording(c);
    const host = await findUserById(db(c.env), hostId);
    const all = await segmentsOf(db(c.env), spaceId);
    return c.json({
      audioUrl: `/api/spaces/${spaceId}/replay/audio`,
      durationMs: recording.durationMs,
      offsetMs: recording.offsetMs,
      segments: segmentsWithin(all, recording.offsetMs, recording.offsetMs + recording.durationMs),
      reactions: JSON.parse(recording.reactions) as ReplayReactions[],
      space: { id: spaceId, title, hostHandle: host?.handle ?? "", hostDisplayName: host?.displayName ?? "" },
    } satisfies ReplayResponse);
  })
  .get("/spaces/:id/replay/audio", async (c) => {
    const { recording } = await playableRecording(c);
    const response = await serveObject(c.env.MEDIA, recording.audioKey, c.req.header("Range"), recording.contentType);
    if (!response) throw noRecording();
    return response;
  })
  .get("/users/:handle/replays", async (c) => {
    const handle = param(c, "handle", handleSchema);
    const user = await findUserByHandle(db(c.env), handle);
    if (!user) throw notFound(`The user @${handle}`);
    return c.json({ replays: await replaysOfHost(db(c.env), user.id) } satisfies HostReplays);
  })
  .delete("/spaces/:id/recording", async (c) => {
    const space = await hostedSpace(c);
    const recording = await recordingOf(db(c.env), space.id);
    if (!recording || recording.deletedAt !== null) throw noRecording();
    await deleteRecordingObjects(c.env.MEDIA, space.id);
    await markRecordingDeleted(db(c.env), space.id, Date.now());
    return c.json({ deleted: true });
  });
