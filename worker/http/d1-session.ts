// D1 read replication on the join path (Sessions API): reads go to any replica at least as new as the caller's last
// bookmark (`x-d1-bookmark`, as Cloudflare documents), and the answer carries the session's bookmark for next time.
import type { MiddlewareHandler } from "hono";
import { D1_BOOKMARK_HEADER } from "../protocol/api.ts";
import type { AppEnv } from "./context.ts";

/** Cloudflare's bookmarks are short dash-separated hex; anything else is ignored rather than sent to D1. */
const BOOKMARK = /^[0-9a-f]{1,64}(-[0-9a-f]{1,64}){0,7}$/i;
export const isBookmark = (value: string) => BOOKMARK.test(value);

/**
 * For read-only routes: the rest of the request sees `env.DB` as a session. Without a (valid) bookmark the first
 * read may go to any replica ("first-unconstrained"): a page opened fresh has seen nothing it could go back from.
 */
export const d1ReadSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  const sent = c.req.header(D1_BOOKMARK_HEADER)?.trim() ?? "";
  const session = c.env.DB.withSession(isBookmark(sent) ? sent : "first-unconstrained");
  // A session answers prepare() and batch() like the database; the route code (drizzle) needs nothing else.
  c.env = { ...c.env, DB: session as unknown as D1Database };
  await next();
  const bookmark = session.getBookmark();
  if (bookmark) c.header(D1_BOOKMARK_HEADER, bookmark);
};
