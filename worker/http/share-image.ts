// GET /api/spaces/:id/card.png: the Space's share-card image, rendered on its own request (the page's meta only links
// it) and cached at the edge under a URL that carries the card's version, so a changed Space gets a fresh image.
import { Hono } from "hono";
import { getSpaceView } from "../db/spaces.ts";
import { renderSpaceCard } from "../share/space-card.ts";
import { spaceCardVersion } from "../share/space-card-meta.ts";
import { type AppEnv } from "./context.ts";
import { db } from "../db/client.ts";
import { notFound } from "./errors.ts";
import { idSchema, param } from "./validate.ts";

const YEAR_SECONDS = 365 * 24 * 3600;

export const shareImageRoutes = new Hono<AppEnv>().get("/spaces/:id/card.png", async (c) => {
  const space = await getSpaceView(db(c.env), param(c, "id", idSchema));
  if (!space || space.state === "draft") throw notFound("That Space");
  const version = spaceCardVersion(space);
  const current = c.req.query("v") === version;
  const cacheKey = new Request(new URL(`/api/spaces/${space.id}/card.png?v=${version}`, c.req.url).href);
  const cache = await caches.open("space-cards");
  const cached = await cache.match(cacheKey);
  if (cached) {
    // A stale or missing version still gets today's image, but must not be kept long under the old URL.
    if (current) return cached;
    const response = new Response(cached.body, cached);
    response.headers.set("Cache-Control", "public, max-age=300");
    return response;
  }
  const png = await renderSpaceCard(space);
  const headers = {
    "Content-Type": "image/png",
    "Content-Length": String(png.byteLength),
    "Cache-Control": `public, max-age=${YEAR_SECONDS}, immutable`,
    "X-Card-Version": version,
  };
  c.executionCtx.waitUntil(cache.put(cacheKey, new Response(png, { headers })));
  return new Response(png, { headers: current ? headers : { ...headers, "Cache-Control": "public, max-age=300" } });
});
