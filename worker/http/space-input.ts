// What the Space routes share at their edge: the title/topics/time schemas, the scheduling window, the Space named
// by `:id`, and the one host check (code `not_host` wherever "only the host" is meant).
import { z } from "zod";
import { db } from "../db/client.ts";
import type { Space } from "../db/schema.ts";
import { getSpace } from "../db/spaces.ts";
import { requireUserId, type AppContext } from "./context.ts";
import { ApiError, notFound, notHost } from "./errors.ts";
import { param, userLineSchema } from "./validate.ts";

export const MIN_LEAD_MS = 10 * 60 * 1000;
export const MAX_LEAD_MS = 30 * 24 * 3600 * 1000;

export const titleSchema = userLineSchema(100);

export const topicSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{1,23}$/, "2 to 24 letters, digits or dashes");

export const topicsSchema = z.array(topicSchema).max(3, "at most 3 topics");

/** When a Space starts: an ISO 8601 date-time with an offset, or epoch milliseconds; normalized to ISO. */
export const scheduledForSchema = z.union([
  z.iso.datetime({ offset: true, message: "an ISO 8601 date-time or epoch milliseconds" }),
  z
    .number()
    .int()
    .positive()
    // Past JavaScript's last date (8.64e15 ms) toISOString throws: refuse it as bad input, not a crash.
    .max(8_640_000_000_000_000, "a date before the year 275760")
    .transform((ms) => new Date(ms).toISOString()),
]);

/** Checks a scheduled time against the allowed window; returns epoch ms. */
export function scheduledTime(iso: string, now: number): number {
  const at = Date.parse(iso);
  if (at < now + MIN_LEAD_MS) {
    throw new ApiError(400, "invalid_schedule", "A Space must be scheduled at least 10 minutes ahead.", ["scheduledFor"]);
  }
  if (at > now + MAX_LEAD_MS) {
    throw new ApiError(400, "invalid_schedule", "A Space can be scheduled at most 30 days ahead.", ["scheduledFor"]);
  }
  return at;
}

/** The Space named by the route's `:id`, or 404. */
export async function spaceFromParam(c: AppContext): Promise<Space> {
  const space = await getSpace(db(c.env), param(c, "id"));
  if (!space) throw notFound("That Space");
  return space;
}

/** The Space named by `:id` when the signed-in person hosts it; 401 signed out, 403 not_host otherwise. */
export async function hostedSpace(c: AppContext): Promise<Space> {
  const userId = requireUserId(c);
  const space = await spaceFromParam(c);
  if (space.hostId !== userId) throw notHost();
  return space;
}
