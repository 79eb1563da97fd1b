// Transcripts of a Space: GET /spaces/:id/transcript (JSON segments) and /transcript.vtt (WebVTT with voice tags).
// In a ticketed Space only ticket holders, the host and the stage (live now, or who spoke) may read them.
import { Hono } from "hono";
import type { Space } from "../db/schema.ts";
import { getSpace } from "../db/spaces.ts";
import { hasPaidTicket } from "../db/tickets.ts";
import { segmentsOf, spokeIn } from "../db/transcripts.ts";
import { transcriptToVtt } from "../media/webvtt.ts";
import type { TranscriptResponse } from "../protocol/transcript.ts";
import { roomFor } from "../space/space-room.ts";
import { db } from "../db/client.ts";
import { requireUserId, type AppContext, type AppEnv } from "./context.ts";
import { ApiError, notFound } from "./errors.ts";
import { param } from "./validate.ts";

const STAGE_ROLES = new Set(["host", "cohost", "speaker"]);

/** The transcript's (and the replay's) access rule: in a ticketed Space, ticket holders, the host and the stage. */
export async function readableSpace(c: AppContext, what = "transcript", spaceId = param(c, "id")): Promise<Space> {
  const space = await getSpace(db(c.env), spaceId);
  if (!space) throw notFound("That Space");
  if (space.ticketCapacity === null) return space;
  const userId = requireUserId(c);
  if (userId === space.hostId || (await hasPaidTicket(db(c.env), space.id, userId))) return space;
  if (space.state === "live") {
    const role = await roomFor(c.env, space.id).getRoleOf(userId);
    if (role && STAGE_ROLES.has(role)) return space;
  }
  if (await spokeIn(db(c.env), space.id, userId)) return space;
  throw new ApiError(402, "ticket_required", `This Space's ${what} is for ticket holders, the host and the speakers.`);
}

export const transcriptRoutes = new Hono<AppEnv>()
  .get("/spaces/:id/transcript", async (c) => {
    const space = await readableSpace(c);
    return c.json({ segments: await segmentsOf(db(c.env), space.id) } satisfies TranscriptResponse);
  })
  .get("/spaces/:id/transcript.vtt", async (c) => {
    const space = await readableSpace(c);
    return c.body(transcriptToVtt(await segmentsOf(db(c.env), space.id)), 200, {
      "content-type": "text/vtt; charset=utf-8",
      "content-disposition": `inline; filename="space-${space.id}.vtt"`,
    });
  });
