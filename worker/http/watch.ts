// GET /spaces/:id/watch: a WebSocket that says when the Space changes state (scheduled → live → ended/cancelled),
// so its page follows along without polling. Public like the Space itself; nothing personal travels on it.
import { Hono } from "hono";
import { getSpace } from "../db/spaces.ts";
import { watchFor } from "../space/watchers.ts";
import { type AppEnv } from "./context.ts";
import { db } from "../db/client.ts";
import { ApiError, notFound } from "./errors.ts";
import { param } from "./validate.ts";

export const watchRoutes = new Hono<AppEnv>().get("/spaces/:id/watch", async (c) => {
  const spaceId = param(c, "id");
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(426, "upgrade_required", "This address only accepts WebSocket connections.");
  }
  if (!(await getSpace(db(c.env), spaceId))) throw notFound("That Space");
  const headers = new Headers(c.req.raw.headers);
  headers.delete("Cookie");
  return watchFor(c.env, spaceId).fetch(new Request(c.req.url, { headers }));
});
