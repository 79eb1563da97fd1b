// What the embeds need from the API: a host's live status (GET /users/:handle/live, public, polled by the embed) and
// oEmbed (GET /oembed?url=) so a CMS turns a pasted Space or profile link into the embed by itself.
import { Hono } from "hono";
import { z } from "zod";
import { getSpaceView, listSpaces } from "../db/spaces.ts";
import { findUserByHandle, toPublicUser } from "../db/users.ts";
import { EMBED_SIZE, embedSnippet, type HostLiveResponse, type OEmbedResponse } from "../protocol/embed.ts";
import { SPACE_CARD_SIZE } from "../share/space-card-meta.ts";
import { db } from "../db/client.ts";
import type { AppContext, AppEnv } from "./context.ts";
import { ApiError, notFound } from "./errors.ts";
import { spaceCardImageUrl } from "./share-cards.ts";
import { check, handleSchema, param } from "./validate.ts";

const SPACE_PATH = /^\/spaces\/([A-Za-z0-9_-]{6,64})\/?$/;
const PROFILE_PATH = /^\/u\/([A-Za-z0-9_]{3,15})\/?$/;

const oembedQuery = z.object({
  url: z.string({ message: "required" }).min(1, "required").max(2048, "at most 2048 characters"),
  format: z.enum(["json", "xml"]).optional(),
  maxwidth: z.coerce.number().int().positive().optional(),
  maxheight: z.coerce.number().int().positive().optional(),
});

/** The origin our own links use: the configured one in production, the request's locally. */
function appOrigin(c: AppContext): string {
  return c.env.APP_ORIGIN || new URL(c.req.url).origin;
}

function parseOwnUrl(c: AppContext, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ApiError(400, "invalid_url", "url must be an absolute URL of a Space or a profile on Spaces.", ["url"]);
  }
  const ours = new Set([appOrigin(c), new URL(c.req.url).origin]);
  if (!ours.has(url.origin)) throw new ApiError(404, "not_found", `Spaces has no embed for ${url.origin} links.`);
  return url;
}

export const embedRoutes = new Hono<AppEnv>()
  .get("/users/:handle/live", async (c) => {
    const handle = param(c, "handle", handleSchema);
    const user = await findUserByHandle(db(c.env), handle);
    if (!user) throw notFound(`The user @${handle}`);
    const [live] = await listSpaces(db(c.env), { state: "live", hostIds: [user.id], limit: 1 });
    const body: HostLiveResponse = { host: toPublicUser(user), live: live ?? null };
    // Embeds on busy pages poll this; a few seconds of staleness is fine for a live badge.
    c.header("Cache-Control", "public, max-age=10");
    return c.json(body);
  })
  .get("/oembed", async (c) => {
    const query = check(oembedQuery, c.req.query());
    if (query.format === "xml") throw new ApiError(501, "unsupported_format", "Only format=json is supported.");
    const url = parseOwnUrl(c, query.url);
    const origin = appOrigin(c);
    const size = {
      width: Math.min(EMBED_SIZE.width, query.maxwidth ?? EMBED_SIZE.width),
      height: Math.min(EMBED_SIZE.height, query.maxheight ?? EMBED_SIZE.height),
    };
    const base = { version: "1.0", type: "rich", provider_name: "Spaces", provider_url: origin, cache_age: 300, ...size } as const;
    const spaceId = SPACE_PATH.exec(url.pathname)?.[1];
    const handle = PROFILE_PATH.exec(url.pathname)?.[1];
    let body: OEmbedResponse;
    if (spaceId) {
      const space = await getSpaceView(db(c.env), spaceId);
      if (!space || space.state === "draft") throw notFound("That Space");
      body = {
        ...base,
        title: space.title,
        author_name: space.host.displayName,
        author_url: `${origin}/u/${space.host.handle}`,
        html: embedSnippet(`${origin}/embed/spaces/${space.id}`, `${space.title} on Spaces`, size),
        thumbnail_url: spaceCardImageUrl(origin, space),
        thumbnail_width: SPACE_CARD_SIZE.width,
        thumbnail_height: SPACE_CARD_SIZE.height,
      };
    } else if (handle) {
      const user = await findUserByHandle(db(c.env), handle);
      if (!user) throw notFound(`The user @${handle}`);
      body = {
        ...base,
        title: `${user.displayName} (@${user.handle}) on Spaces`,
        author_name: user.displayName,
        author_url: `${origin}/u/${user.handle}`,
        html: embedSnippet(`${origin}/embed/u/${user.handle}`, `${user.displayName} on Spaces`, size),
      };
    } else {
      throw new ApiError(404, "not_found", "Only links to a Space (/spaces/…) or a profile (/u/…) can be embedded.");
    }
    c.header("Access-Control-Allow-Origin", "*");
    return c.json(body);
  });
