// Recording of a Space: POST /spaces/:id/recording {on} (host only) tells the live room, which tells everyone
// (REC badge) and starts or stops the media object's recorder.
import { Hono } from "hono";
import { z } from "zod";
import { roomFor } from "../space/space-room.ts";
import type { AppEnv } from "./context.ts";
import { ApiError, notHost } from "./errors.ts";
import { hostedSpace } from "./space-input.ts";
import { jsonBody } from "./validate.ts";

const recordingInput = z.object({ on: z.boolean() });

export const recordingRoutes = new Hono<AppEnv>().post("/spaces/:id/recording", jsonBody(recordingInput), async (c) => {
  const space = await hostedSpace(c);
  const { on } = c.req.valid("json");
  if (space.state !== "live") throw new ApiError(409, "space_not_live", "Recording is switched in a live Space.");
  const result = await roomFor(c.env, space.id).setRecording(space.hostId, on);
  if (!result.ok) {
    if (result.code === "not_host") throw notHost();
    throw new ApiError(409, result.code, result.code === "space_ended" ? "This Space has ended." : "This Space is not live.");
  }
  return c.json({ recording: on });
});
