// The signed-in person's notifications: GET /notifications (latest first, with unread count), POST /notifications/read.
import { Hono } from "hono";
import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import { unreadCount } from "../db/notifications.ts";
import { notifications } from "../db/schema.ts";
import type { NotificationView } from "../protocol/discovery.ts";
import { requireUserId, type AppEnv } from "./context.ts";
import { db } from "../db/client.ts";
import { check, idSchema, jsonBody } from "./validate.ts";

const listSchema = z.object({ limit: z.coerce.number().int().min(1).max(100).default(30) });
const readSchema = z.object({ ids: z.array(idSchema).min(1).max(100).optional() });

export const notificationRoutes = new Hono<AppEnv>()
  .get("/notifications", async (c) => {
    const userId = requireUserId(c);
    const { limit } = check(listSchema, c.req.query());
    const [rows, unread] = await Promise.all([
      db(c.env)
        .select()
        .from(notifications)
        .where(eq(notifications.userId, userId))
        .orderBy(desc(notifications.createdAt))
        .limit(limit),
      unreadCount(db(c.env), userId),
    ]);
    const list: NotificationView[] = rows.map((n) => ({
      id: n.id,
      kind: n.kind,
      spaceId: n.spaceId,
      text: n.text,
      read: n.readAt !== null,
      createdAt: new Date(n.createdAt).toISOString(),
    }));
    return c.json({ notifications: list, unreadCount: unread });
  })
  .post("/notifications/read", jsonBody(readSchema), async (c) => {
    const userId = requireUserId(c);
    const { ids } = c.req.valid("json");
    // Scoped to the caller's own rows, so ids of someone else's notifications change nothing.
    await db(c.env)
      .update(notifications)
      .set({ readAt: Date.now() })
      .where(
        and(eq(notifications.userId, userId), isNull(notifications.readAt), ids ? inArray(notifications.id, ids) : undefined),
      );
    return c.json({ unreadCount: await unreadCount(db(c.env), userId) });
  });
