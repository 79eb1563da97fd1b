// Calendar files: one .ics per Space, a personal feed of reminded Spaces behind a secret token, and its URL.
import { Hono } from "hono";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { buildCalendar } from "../calendar/ics.ts";
import { remindedSpaceIds } from "../db/reminders.ts";
import { users } from "../db/schema.ts";
import { getSpaceView, spaceViewsByIds } from "../db/spaces.ts";
import { findUserById } from "../db/users.ts";
import type { SpaceView } from "../protocol/api.ts";
import { appOrigin } from "../settings.ts";
import { requireUserId, type AppContext, type AppEnv } from "./context.ts";
import { db } from "../db/client.ts";
import { notFound, unauthorized } from "./errors.ts";
import { check, param } from "./validate.ts";

const feedFileSchema = z.string().regex(/^[a-f0-9]{32}\.ics$/, "not a calendar feed");

function calendarResponse(c: AppContext, body: string, filename: string, cache: string): Response {
  return c.body(body, 200, {
    "Content-Type": "text/calendar; charset=utf-8",
    "Content-Disposition": `inline; filename="${filename}"`,
    "Cache-Control": cache,
  });
}

function events(c: AppContext, spaces: SpaceView[]) {
  return spaces.map((space) => ({ space, url: `${appOrigin(c.env, c.req.url)}/spaces/${space.id}` }));
}

function feedUrl(c: AppContext, token: string): string {
  return `${appOrigin(c.env, c.req.url)}/api/calendar/${token}.ics`;
}

export const calendarRoutes = new Hono<AppEnv>()
  .get("/spaces/:id/calendar.ics", async (c) => {
    const space = await getSpaceView(db(c.env), param(c, "id"));
    if (!space || (space.scheduledFor === null && space.startedAt === null)) throw notFound("A scheduled Space with that id");
    return calendarResponse(c, buildCalendar(space.title, events(c, [space]), Date.now()), `space-${space.id}.ics`, "no-cache");
  })
  .get("/calendar/:file", async (c) => {
    const file = check(z.object({ file: feedFileSchema }), { file: c.req.param("file") }).file;
    const token = file.slice(0, -".ics".length);
    const user = await db(c.env).query.users.findFirst({ where: eq(users.calendarToken, token) });
    if (!user) throw notFound("That calendar feed");
    const spaces = await spaceViewsByIds(db(c.env), await remindedSpaceIds(db(c.env), user.id));
    const body = buildCalendar(`Spaces for @${user.handle}`, events(c, spaces), Date.now());
    // The URL is a secret: keep it out of shared caches.
    return calendarResponse(c, body, "spaces.ics", "private, max-age=300");
  })
  .get("/me/calendar", async (c) => {
    const user = await findUserById(db(c.env), requireUserId(c));
    if (!user) throw unauthorized();
    return c.json({ url: feedUrl(c, user.calendarToken) });
  })
  .post("/me/calendar/reset", async (c) => {
    // A leaked feed URL is revoked by replacing its token.
    const token = crypto.randomUUID().replaceAll("-", "");
    const rows = await db(c.env)
      .update(users)
      .set({ calendarToken: token })
      .where(eq(users.id, requireUserId(c)))
      .returning({ id: users.id });
    if (rows.length === 0) throw unauthorized();
    return c.json({ url: feedUrl(c, token) });
  });
