// A host's changes to a planned Space (PATCH, cancel) and a listener's reminder (POST/DELETE /spaces/:id/reminder).
import { Hono } from "hono";
import { z } from "zod";
import { announceCancelled } from "../announce.ts";
import { refundAllTickets } from "../payments/refunds.ts";
import { changeCapacity } from "../payments/waitlist.ts";
import { roomFor } from "../space/space-room.ts";
import { tellWatchers } from "../space/watchers.ts";
import { addReminder, removeReminder } from "../db/reminders.ts";
import { cancelSpaceIfIn, getSpace, getSpaceView, updateScheduledSpace } from "../db/spaces.ts";
import type { SpaceState } from "../protocol/api.ts";
import { requireUserId, signedIn, type AppEnv } from "./context.ts";
import { db } from "../db/client.ts";
import { ApiError } from "./errors.ts";
import { hostedSpace, scheduledForSchema, scheduledTime, spaceFromParam, titleSchema, topicsSchema } from "./space-input.ts";
import { jsonBody } from "./validate.ts";

const editSchema = z
  .object({
    title: titleSchema.optional(),
    scheduledFor: scheduledForSchema.optional(),
    topics: topicsSchema.optional(),
    // Capacity only: price and currency stay what buyers already paid.
    ticket: z.object({ capacity: z.number().int().min(1, "at least 1").max(10_000, "at most 10,000") }).strict().optional(),
  })
  .refine((b) => b.title !== undefined || b.scheduledFor !== undefined || b.topics !== undefined || b.ticket !== undefined, {
    message: "give at least one of title, scheduledFor, topics, ticket",
  });

/** Why a Space in this state cannot take a reminder, in words for the person asking. */
function notScheduledMessage(state: SpaceState): string {
  switch (state) {
    case "live":
      return "This Space is already live: join it now instead.";
    case "draft":
      return "This Space has no scheduled time to remind you of.";
    case "ended":
      return "This Space has already ended.";
    case "cancelled":
      return "This Space was cancelled.";
    case "scheduled":
      return "This Space is scheduled.";
    default: {
      const unknown: never = state;
      return `This Space is ${String(unknown)}.`;
    }
  }
}

export const schedulingRoutes = new Hono<AppEnv>()
  .patch("/spaces/:id", signedIn, jsonBody(editSchema), async (c) => {
    const space = await hostedSpace(c);
    if (space.state !== "scheduled") {
      throw new ApiError(409, "not_scheduled", "Only a scheduled Space can be edited; this one is " + space.state + ".");
    }
    const body = c.req.valid("json");
    const scheduledFor = body.scheduledFor === undefined ? undefined : scheduledTime(body.scheduledFor, Date.now());
    if (body.title !== undefined || scheduledFor !== undefined || body.topics !== undefined) {
      const changed = await updateScheduledSpace(db(c.env), space.id, {
        title: body.title,
        scheduledFor,
        topics: body.topics === undefined ? undefined : [...new Set(body.topics)],
      });
      if (!changed) throw new ApiError(409, "not_scheduled", "This Space stopped being scheduled while you edited it.");
    }
    // A capacity that grows hands its new seats to the waitlist first (payments/waitlist.ts).
    if (body.ticket) await changeCapacity(c.env, space, body.ticket.capacity, c.executionCtx);
    console.log(JSON.stringify({ event: "space_edited", spaceId: space.id, fields: Object.keys(body) }));
    c.executionCtx.waitUntil(tellWatchers(c.env, space.id, "scheduled"));
    return c.json({ space: await getSpaceView(db(c.env), space.id) });
  })
  .post("/spaces/:id/cancel", async (c) => {
    const space = await hostedSpace(c);
    if (space.state === "ended") throw new ApiError(409, "not_cancellable", "This Space has already ended.");
    // Cancelling again is allowed and repeats only the follow-up (refunds, notices), which are idempotent:
    // it is how a host retries refunds that failed the first time.
    if (space.state !== "cancelled") {
      // Compare-and-set on the state we read: a start or end racing this cancel makes one of them lose cleanly.
      if (!(await cancelSpaceIfIn(db(c.env), space.id, space.state, Date.now()))) {
        throw new ApiError(409, "state_changed", "This Space changed state just now; reload and try again.");
      }
      console.log(JSON.stringify({ event: "space_cancelled", spaceId: space.id, from: space.state }));
      // D1 already says cancelled, so the room's own end record (guarded on 'live') leaves that alone.
      if (space.state === "live") await roomFor(c.env, space.id).end("host_ended");
      c.executionCtx.waitUntil(tellWatchers(c.env, space.id, "cancelled"));
    }
    await announceCancelled(c.env, space.id, Date.now(), c.executionCtx);
    if (space.ticketCapacity !== null) {
      const refunds = refundAllTickets(c.env, space.id).then(
        ({ refunded }) => console.log(JSON.stringify({ event: "cancel_refunds_done", spaceId: space.id, refunded })),
        (err) => console.log(JSON.stringify({ event: "cancel_refunds_failed", spaceId: space.id, error: String(err) })),
      );
      c.executionCtx.waitUntil(refunds);
    }
    return c.json({ space: await getSpaceView(db(c.env), space.id) });
  })
  .post("/spaces/:id/reminder", async (c) => {
    const userId = requireUserId(c);
    const space = await spaceFromParam(c);
    if (space.state !== "scheduled" || !(await addReminder(db(c.env), space.id, userId))) {
      const current = (await getSpace(db(c.env), space.id))?.state ?? space.state;
      throw new ApiError(409, "not_scheduled", notScheduledMessage(current));
    }
    return c.json({ reminded: true });
  })
  .delete("/spaces/:id/reminder", async (c) => {
    const userId = requireUserId(c);
    const space = await spaceFromParam(c);
    await removeReminder(db(c.env), space.id, userId);
    return c.json({ reminded: false });
  });
