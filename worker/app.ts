// The Hono app: request ids, session loading, Origin checks, route groups, and the one JSON error handler
// (ApiError from routes, DomainError from domain code, Hono's own HTTPExceptions, anything else as a 500).
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { audioRoutes } from "./http/audio.ts";
import { authRoutes } from "./http/auth.ts";
import type { AppEnv } from "./http/context.ts";
import { ApiError, DOMAIN_STATUS } from "./http/errors.ts";
import { DomainError, errorBody } from "./protocol/errors.ts";
import { liveRoutes } from "./http/live.ts";
import { mediaRoutes } from "./http/media.ts";
import { transcriptRoutes } from "./http/transcript.ts";
import { recordingRoutes } from "./http/recording.ts";
import { replayRoutes } from "./http/replay.ts";
import { clipRoutes } from "./http/clips.ts";
import { checkOrigin, loadSession } from "./http/session.ts";
import { earningsRoutes } from "./http/earnings.ts";
import { embedRoutes } from "./http/embeds.ts";
import { stripeWebhookRoutes } from "./http/stripe-webhook.ts";
import { ticketRoutes } from "./http/tickets.ts";
import { calendarRoutes } from "./http/calendar.ts";
import { homeRoutes } from "./http/home.ts";
import { notificationRoutes } from "./http/notifications.ts";
import { serveAppFile } from "./http/pages.ts";
import { shareImageRoutes } from "./http/share-image.ts";
import { pushRoutes } from "./http/push.ts";
import { schedulingRoutes } from "./http/scheduling.ts";
import { withSecurityHeaders } from "./http/security-headers.ts";
import { spaceRoutes } from "./http/spaces.ts";
import { userRoutes } from "./http/users.ts";
import { watchRoutes } from "./http/watch.ts";
import { hostSpacesRoutes } from "./http/host-spaces.ts";
import { avatarRoutes } from "./http/avatars.ts";
import { bodyLimits } from "./http/body-limits.ts";

const api = new Hono<AppEnv>()
  .get("/health", (c) => c.json({ ok: true }))
  .route("/", authRoutes)
  .route("/", userRoutes)
  .route("/", spaceRoutes)
  .route("/", liveRoutes)
  .route("/", mediaRoutes)
  .route("/", transcriptRoutes)
  .route("/", recordingRoutes)
  .route("/", replayRoutes)
  .route("/", clipRoutes)
  .route("/", watchRoutes)
  .route("/", hostSpacesRoutes)
  .route("/", avatarRoutes)
  .route("/", schedulingRoutes)
  .route("/", notificationRoutes)
  .route("/", pushRoutes)
  .route("/", calendarRoutes)
  .route("/", homeRoutes)
  .route("/", audioRoutes)
  .route("/", ticketRoutes)
  .route("/", stripeWebhookRoutes)
  .route("/", earningsRoutes)
  .route("/", shareImageRoutes)
  .route("/", embedRoutes);

export const app = new Hono<AppEnv>()
  .use("*", withSecurityHeaders)
  .use("*", async (c, next) => {
    c.set("requestId", c.req.header("cf-ray") ?? crypto.randomUUID());
    await next();
  })
  .use("/api/*", bodyLimits, checkOrigin, loadSession)
  .route("/api", api);

app.notFound((c) => {
  if (c.req.path.startsWith("/api/")) {
    return c.json(errorBody("not_found", `No API route for ${c.req.method} ${c.req.path}.`), 404);
  }
  return serveAppFile(c);
});

app.onError((err, c) => {
  if (err instanceof ApiError) return c.json(err.toBody(), err.status);
  if (err instanceof DomainError) return c.json(errorBody(err.code, err.message, err.extra), DOMAIN_STATUS[err.kind]);
  if (err instanceof HTTPException && err.status === 400 && /malformed json/i.test(err.message)) {
    return c.json(errorBody("invalid_json", "The request body is not valid JSON."), 400);
  }
  if (err instanceof HTTPException && err.status < 500) {
    return c.json(errorBody("bad_request", err.message || "The request was not understood."), err.status);
  }
  const requestId = c.get("requestId");
  // Full detail stays in the logs; the client gets only the id to quote.
  console.log(JSON.stringify({ event: "unhandled_error", requestId, path: c.req.path, error: String(err), stack: (err as Error).stack }));
  return c.json(errorBody("internal_error", `Something went wrong on our side (request ${requestId}).`, { requestId }), 500);
});
