// GET /home: everything the home page needs in one call: the ring row of followed people (live ones marked),
// their live Spaces, the Spaces you asked to be reminded of, and the unread notification count.
import { Hono } from "hono";
import { sql } from "drizzle-orm";
import { unreadCount } from "../db/notifications.ts";
import { listSpaces, spaceViewsByIds } from "../db/spaces.ts";
import { avatarUrlOf } from "../db/users.ts";
import type { HomeResponse, RingPerson } from "../protocol/discovery.ts";
import { requireUserId, type AppEnv } from "./context.ts";
import { db, type Db } from "../db/client.ts";

const RING_LIMIT = 100;
const UPCOMING_LIMIT = 20;

type RingRow = {
  id: string;
  handle: string;
  display_name: string;
  avatar_key: string | null;
  live_space_id: string | null;
  live_title: string | null;
  live_listeners: number | null;
};

/** People the user follows with, for the live ones, their live Space (the ring); live first. */
async function ringRow(database: Db, userId: string): Promise<RingPerson[]> {
  const rows = await database.all<RingRow>(sql`
    SELECT u.id, u.handle, u.display_name, u.avatar_key, s.id AS live_space_id, s.title AS live_title, s.listener_count AS live_listeners
    FROM follows f
    JOIN users u ON u.id = f.followee_id
    LEFT JOIN spaces s ON s.id = (
      SELECT id FROM spaces WHERE host_id = u.id AND state = 'live' ORDER BY started_at DESC LIMIT 1)
    WHERE f.follower_id = ${userId}
    ORDER BY s.id IS NULL, s.listener_count DESC, lower(u.handle)
    LIMIT ${RING_LIMIT}`);
  return rows.map((r) => ({
    id: r.id,
    handle: r.handle,
    displayName: r.display_name,
    avatarUrl: avatarUrlOf(r.avatar_key),
    live: r.live_space_id ? { spaceId: r.live_space_id, title: r.live_title ?? "", listenerCount: r.live_listeners ?? 0 } : null,
  }));
}

async function upcomingReminded(database: Db, userId: string) {
  const rows = await database.all<{ space_id: string }>(sql`
    SELECT r.space_id FROM reminders r JOIN spaces s ON s.id = r.space_id
    WHERE r.user_id = ${userId} AND s.state = 'scheduled'
    ORDER BY s.scheduled_for ASC LIMIT ${UPCOMING_LIMIT}`);
  return spaceViewsByIds(database, rows.map((r) => r.space_id));
}

export const homeRoutes = new Hono<AppEnv>().get("/home", async (c) => {
  const userId = requireUserId(c);
  const database = db(c.env);
  const following = await ringRow(database, userId);
  const liveHostIds = following.filter((p) => p.live).map((p) => p.id);
  const [live, upcoming, unread] = await Promise.all([
    liveHostIds.length > 0 ? listSpaces(database, { state: "live", hostIds: liveHostIds }) : Promise.resolve([]),
    upcomingReminded(database, userId),
    unreadCount(database, userId),
  ]);
  const home: HomeResponse = { following, live, upcoming, unreadCount: unread };
  return c.json(home);
});
