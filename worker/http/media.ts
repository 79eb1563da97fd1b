// The SFU's way in: GET /spaces/:id/media/adapter?token=… upgrades to the Space's media object. The token (in the
// URL: the SFU sends no custom headers) is checked here, before the upgrade reaches the object.
import { Hono } from "hono";
import { verifyAdapterToken } from "../media/adapter-token.ts";
import { ADAPTER_CLAIMS_HEADER, mediaFor } from "../media/space-media.ts";
import type { AppEnv } from "./context.ts";
import { ApiError } from "./errors.ts";
import { param } from "./validate.ts";

export const mediaRoutes = new Hono<AppEnv>().get("/spaces/:id/media/adapter", async (c) => {
  const spaceId = param(c, "id");
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(426, "upgrade_required", "This address only accepts the SFU's adapter WebSocket.");
  }
  const token = c.req.query("token");
  const claims = token ? await verifyAdapterToken(c.env.SESSION_SECRET, token, spaceId) : null;
  if (!claims) throw new ApiError(401, "invalid_token", "The adapter token is missing, expired or for another Space.");
  const headers = new Headers({ Upgrade: "websocket" });
  headers.set(ADAPTER_CLAIMS_HEADER, JSON.stringify(claims));
  return mediaFor(c.env, spaceId).fetch(new Request(c.req.url, { headers }));
});
