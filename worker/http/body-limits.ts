// Request body size limits for every API route (hono/body-limit), checked while the body streams in, so a 20 MB
// JSON body is refused with 413 body_too_large before anything parses it.
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AVATAR_MAX_BYTES } from "../media/avatars.ts";
import type { AppEnv } from "./context.ts";
import { ApiError } from "./errors.ts";

export const JSON_BODY_MAX_BYTES = 64 * 1024;
// Stripe's event payloads are larger than ours but stay well under this.
const STRIPE_WEBHOOK_MAX_BYTES = 512 * 1024;

function limited(maxSize: number, code = "body_too_large", message = `The request body is too large (at most ${Math.floor(maxSize / 1024)} KiB).`): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError(413, code, message);
    },
  });
}

const jsonLimit = limited(JSON_BODY_MAX_BYTES);
// The avatar route keeps its own error (image_too_large), which the web app already explains.
const avatarLimit = limited(AVATAR_MAX_BYTES, "image_too_large", "That picture is too large; pictures can be up to 512 KB.");
const webhookLimit = limited(STRIPE_WEBHOOK_MAX_BYTES);

/** The limit for this route: the avatar upload and Stripe's webhook get their own, everything else 64 KiB. */
export const bodyLimits: MiddlewareHandler<AppEnv> = (c, next) => {
  if (c.req.path === "/api/me/avatar") return avatarLimit(c, next);
  if (c.req.path === "/api/stripe/webhook") return webhookLimit(c, next);
  return jsonLimit(c, next);
};
