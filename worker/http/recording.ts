// Recording of a Space: POST /spaces/:id/recording {on} (host only). Before the start (draft or scheduled) the choice
// is stored and the room applies it when it opens; in a live Space the room tells everyone (REC badge) and starts
// or stops the media object's recorder.
import { Hono } from "hono";
import { z } from "zod";
import { db } from "../db/client.ts";
import type { Space } from "../db/schema.ts";
import { setRecordOnStart } from "../db/space-lifecycle.ts";
import { getSpace } from "../db/spaces.ts";
import { roomFor } from "../space/space-room.ts";
import type { AppContext, AppEnv } from "./context.ts";
import { ApiError, notHost } from "./errors.ts";
import { hostedSpace } from "./space-input.ts";
import { jsonBody } from "./validate.ts";

const recordingInput = z.object({ on: z.boolean() });
const spaceEnded = (state?: string) =>
  new ApiError(409, "space_ended", state === "cancelled" ? "This Space was cancelled." : "This Space has ended.");

async function switchLive(c: AppContext, space: Space, on: boolean): Promise<void> {
  const result = await roomFor(c.env, space.id).setRecording(space.hostId, on);
  if (result.ok) return;
  if (result.code === "not_host") throw notHost();
  throw result.code === "space_ended" ? spaceEnded() : new ApiError(409, result.code, "This Space is not live.");
}

/** The live room applies a choice stored before the start; called by the start route once the Space is live. */
export async function applyRecordOnStart(env: Env, spaceId: string): Promise<void> {
  const space = await getSpace(db(env), spaceId);
  if (space?.state === "live" && space.recordOnStart) await roomFor(env, spaceId).setRecording(space.hostId, true);
}

export const recordingRoutes = new Hono<AppEnv>().post("/spaces/:id/recording", jsonBody(recordingInput), async (c) => {
  const space = await hostedSpace(c);
  const { on } = c.req.valid("json");
  if (space.state === "ended" || space.state === "cancelled") throw spaceEnded(space.state);
  if (space.state !== "live") {
    // Guarded on the state: a start racing this either sees the stored choice (it reads it once live) or makes
    // this update miss, and then the choice goes to the live room below.
    if (await setRecordOnStart(db(c.env), space.id, on)) return c.json({ recording: on });
    const now = await getSpace(db(c.env), space.id);
    if (now?.state !== "live") throw spaceEnded(now?.state);
  }
  await switchLive(c, space, on);
  return c.json({ recording: on });
});
