// Creating Spaces (behind the host gate) and discovery: GET /spaces (live/upcoming, search, topic) and GET /spaces/:id.
import { Hono } from "hono";
import { z } from "zod";
import { createSpace, getSpaceView, listSpaces } from "../db/spaces.ts";
import { SPEAK_POLICIES } from "../protocol/api.ts";
import { seasonedFollowerCount } from "../db/users.ts";
import { guestListening, hostFollowerMinAgeMs, hostMaxDrafts, hostMinFollowers } from "../settings.ts";
import { remindedAmong } from "../db/reminders.ts";
import type { SpaceView } from "../protocol/api.ts";
import { DomainError } from "../protocol/errors.ts";
import { requireUserId, signedIn, type AppContext, type AppEnv } from "./context.ts";
import { db } from "../db/client.ts";
import { ApiError, notFound } from "./errors.ts";
import { scheduledForSchema, scheduledTime, titleSchema, topicSchema, topicsSchema } from "./space-input.ts";
import { issueJoin, type JoinTicket } from "./live.ts";
import { joinFacts } from "../db/join-facts.ts";
import { check, jsonBody, param } from "./validate.ts";
import { d1ReadSession } from "./d1-session.ts";

export const MAX_UPCOMING = 10;

const createSchema = z.object({
  title: titleSchema,
  scheduledFor: scheduledForSchema.optional(),
  speakPolicy: z.enum(SPEAK_POLICIES).optional(),
  topics: topicsSchema.optional(),
  ticket: z
    .object({
      priceCents: z.number().int().min(100, "at least $1.00").max(99_900, "at most $999.00"),
      currency: z
        .string()
        .transform((code) => code.toLowerCase())
        .pipe(z.literal("usd", "only usd is supported"))
        .default("usd"),
      capacity: z.number().int().min(1, "at least 1").max(10_000, "at most 10,000"),
    })
    .optional(),
});

const listSchema = z.object({
  state: z.enum(["live", "scheduled"]).optional(),
  q: z.string().trim().max(100).optional(),
  topic: topicSchema.optional(),
});

/** Marks the Spaces the signed-in viewer asked to be reminded of (the "Remind me" button's state). */
async function withRemindedFlag(c: AppContext, list: SpaceView[]): Promise<SpaceView[]> {
  const viewerId = c.get("userId");
  if (!viewerId) return list;
  const reminded = await remindedAmong(db(c.env), viewerId, list.filter((s) => s.state === "scheduled").map((s) => s.id));
  return list.map((s) => ({ ...s, remindedByMe: reminded.has(s.id) }));
}

export const spaceRoutes = new Hono<AppEnv>()
  .post("/spaces", signedIn, jsonBody(createSchema), async (c) => {
    const hostId = requireUserId(c);
    const body = c.req.valid("json");
    const needed = hostMinFollowers(c.env);
    const followers = await seasonedFollowerCount(db(c.env), hostId, Date.now() - hostFollowerMinAgeMs(c.env));
    if (followers < needed) {
      const days = Math.round(hostFollowerMinAgeMs(c.env) / 86_400_000);
      throw new ApiError(
        403,
        "host_not_eligible",
        `Hosting a Space needs at least ${needed} followers whose accounts are ${days} days old or more; you have ${followers}. ${needed - followers} more to go.`,
      );
    }
    const scheduledFor = body.scheduledFor ? scheduledTime(body.scheduledFor, Date.now()) : null;
    const id = await createSpace(
      db(c.env),
      {
        hostId,
        title: body.title,
        state: scheduledFor === null ? "draft" : "scheduled",
        scheduledFor,
        speakPolicy: body.speakPolicy ?? "everyone",
        topics: [...new Set(body.topics ?? [])],
        ticket: body.ticket ?? null,
      },
      scheduledFor === null ? hostMaxDrafts(c.env) : MAX_UPCOMING,
    );
    if (id === null && scheduledFor === null) {
      const max = hostMaxDrafts(c.env);
      throw new ApiError(409, "too_many_drafts", `You can keep at most ${max} drafts. Delete or schedule one first.`);
    }
    if (id === null) {
      throw new ApiError(400, "too_many_scheduled", `You can have at most ${MAX_UPCOMING} upcoming Spaces.`, ["scheduledFor"]);
    }
    console.log(JSON.stringify({ event: "space_created", spaceId: id, hostId, scheduled: scheduledFor !== null }));
    return c.json({ space: await getSpaceView(db(c.env), id) }, 201);
  })
  .get("/spaces", async (c) => {
    const filter = check(listSchema, c.req.query());
    const spaces = await listSpaces(db(c.env), { ...filter, q: filter.q || undefined });
    return c.json({ spaces: await withRemindedFlag(c, spaces) });
  })
  .get("/spaces/:id", d1ReadSession, async (c) => {
    const id = param(c, "id");
    // The join's own read runs beside the Space's: a live page's answer waits for one read less.
    const [space, join] = await Promise.all([getSpaceView(db(c.env), id), joinAlongside(c, id)]);
    if (!space) throw notFound("That Space");
    const [withFlag] = await withRemindedFlag(c, [space]);
    const view: SpaceView = { ...withFlag!, guestListening: guestListening(c.env) && space.ticket === null };
    return c.json(join ? { space: view, join } : { space: view });
  });

/**
 * `?join=1`: a signed-in person opening a live Space gets its join ticket in the same answer, so the page goes
 * straight to the room socket. Any refusal (not live, ticket needed, blocked) leaves it out: POST /join then says why.
 */
async function joinAlongside(c: AppContext, spaceId: string): Promise<JoinTicket | null> {
  const userId = c.get("userId");
  if (c.req.query("join") !== "1" || !userId) return null;
  const facts = await joinFacts(db(c.env), spaceId, userId);
  if (facts?.space.state !== "live") return null;
  try {
    return await issueJoin(c, facts, userId);
  } catch (error) {
    // Refusals come as HTTP errors (blocked) or as domain errors (ticket access); both leave it out.
    if (error instanceof ApiError || error instanceof DomainError) return null;
    throw error;
  }
}
