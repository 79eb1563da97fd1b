// Clips: POST /spaces/:id/clips {startMs, endMs} (≤ 60 s) cuts the replay (or, in a live recorded Space, what of the
// range its last minute of stored parts holds) into its own small R2 object, so it outlives the replay; GET /clips/:id.
// Who may clip or hear a clip: whoever may hear the replay (the transcript's rule for ticketed Spaces).
import { Hono } from "hono";
import { z } from "zod";
import { db } from "../db/client.ts";
import { clipOf, insertClip, recordingOf } from "../db/recordings.ts";
import { segmentsOf } from "../db/transcripts.ts";
import { findUserById } from "../db/users.ts";
import { CHUNK_MS } from "../media/recording/mix.ts";
import { cutOggOpus, demuxOggOpus, packetsDurationMs } from "../media/recording/ogg-opus.ts";
import { RECORDING_CONTENT_TYPE, RECORDING_EXTENSION } from "../media/recording/recording-format.ts";
import { liveClipSource } from "../media/recording/live-parts.ts";
import { MAX_CLIP_MS, type ClipCreated, type ClipResponse } from "../protocol/replay.ts";
import { roomFor } from "../space/space-room.ts";
import { serveObject } from "./byte-range.ts";
import { requireUserId, type AppContext, type AppEnv } from "./context.ts";
import { ApiError, notFound } from "./errors.ts";
import { playableRecording, segmentsWithin } from "./replay.ts";
import { readableSpace } from "./transcript.ts";
import { jsonBody, param } from "./validate.ts";

const clipInput = z
  .object({ startMs: z.number().int().min(0), endMs: z.number().int().min(1) })
  .refine((v) => v.endMs > v.startMs, { message: "endMs must be after startMs", path: ["endMs"] })
  .refine((v) => v.endMs - v.startMs <= MAX_CLIP_MS, { message: "a clip is at most 60 s", path: ["endMs"] });

const clipKey = (id: string) => `clips/${id}.${RECORDING_EXTENSION}`;
const clipSerial = () => crypto.getRandomValues(new Uint32Array(1))[0]!;

/** The clip's audio and where it sits on the Space's timeline. */
async function cut(c: AppContext, spaceId: string, startMs: number, endMs: number): Promise<{ audio: Uint8Array | null; spaceFromMs: number; spaceToMs: number }> {
  const recording = await recordingOf(db(c.env), spaceId);
  if (recording && recording.deletedAt === null) {
    await playableRecording(c);
    const object = await c.env.MEDIA.get(recording.audioKey);
    if (!object) throw new ApiError(404, "no_recording", "This Space has no recording.");
    if (endMs > recording.durationMs) throw new ApiError(400, "invalid_input", "The clip ends after the recording.", ["endMs"]);
    const replay = demuxOggOpus(new Uint8Array(await object.arrayBuffer()));
    if (!replay) throw new ApiError(409, "clip_unavailable", "This recording's audio cannot be cut into clips.");
    return { audio: cutOggOpus(replay, startMs, endMs, clipSerial()), spaceFromMs: recording.offsetMs + startMs, spaceToMs: recording.offsetMs + endMs };
  }
  // A live recorded Space: times are on the Space's timeline, within the last minute that is stored.
  await readableSpace(c, "replay", spaceId);
  if (!(await roomFor(c.env, spaceId).isRecording())) throw new ApiError(404, "no_recording", "This Space has no recording.");
  const source = await liveClipSource(c.env.MEDIA, spaceId, startMs, endMs);
  if (!source) throw new ApiError(409, "clip_not_ready", "That part of the Space is not stored yet; try again in a few seconds.");
  const stored = source.source;
  const storedFromMs = source.firstChunk * CHUNK_MS;
  const nowMs = storedFromMs + packetsDurationMs(stored);
  if (startMs < nowMs - MAX_CLIP_MS - CHUNK_MS) throw new ApiError(400, "invalid_input", "A live Space can be clipped for its last 60 s.", ["startMs"]);
  // Only what is stored: from where recording began (if after the asked start) to the last stored part's end.
  const fromMs = Math.max(startMs, storedFromMs);
  const toMs = Math.min(endMs, Math.floor(nowMs));
  if (toMs <= fromMs) throw new ApiError(409, "clip_not_ready", "That part of the Space is not stored yet; try again in a few seconds.");
  return { audio: cutOggOpus(stored, fromMs - storedFromMs, toMs - storedFromMs, clipSerial()), spaceFromMs: fromMs, spaceToMs: toMs };
}

export const clipRoutes = new Hono<AppEnv>()
  .post("/spaces/:id/clips", jsonBody(clipInput), async (c) => {
    const userId = requireUserId(c);
    const spaceId = param(c, "id");
    const { startMs, endMs } = c.req.valid("json");
    const { audio, spaceFromMs, spaceToMs } = await cut(c, spaceId, startMs, endMs);
    if (!audio) throw new ApiError(400, "invalid_input", "There is no audio in that range.", ["startMs"]);
    const id = crypto.randomUUID();
    await c.env.MEDIA.put(clipKey(id), audio, { httpMetadata: { contentType: RECORDING_CONTENT_TYPE } });
    await insertClip(db(c.env), { id, spaceId, createdBy: userId, audioKey: clipKey(id), startMs: spaceFromMs, endMs: spaceToMs });
    return c.json({ clip: { id, url: `/clips/${id}` } } satisfies ClipCreated, 201);
  })
  .get("/clips/:id", async (c) => {
    const clip = await clipOf(db(c.env), param(c, "id"));
    if (!clip) throw notFound("That clip");
    const space = await readableSpace(c, "clips", clip.spaceId);
    const host = await findUserById(db(c.env), space.hostId);
    const segments = segmentsWithin(await segmentsOf(db(c.env), clip.spaceId), clip.startMs, clip.endMs);
    return c.json({
      clip: { id: clip.id, url: `/clips/${clip.id}`, audioUrl: `/api/clips/${clip.id}/audio`, startMs: clip.startMs, endMs: clip.endMs, durationMs: clip.endMs - clip.startMs },
      space: { id: space.id, title: space.title, hostHandle: host?.handle ?? "" },
      segments,
    } satisfies ClipResponse);
  })
  .get("/clips/:id/audio", async (c) => {
    const clip = await clipOf(db(c.env), param(c, "id"));
    if (!clip) throw notFound("That clip");
    await readableSpace(c, "clips", clip.spaceId);
    const response = await serveObject(c.env.MEDIA, clip.audioKey, c.req.header("Range"), RECORDING_CONTENT_TYPE);
    if (!response) throw notFound("That clip's audio");
    return response;
  });
