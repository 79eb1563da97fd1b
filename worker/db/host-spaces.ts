// A host's own Spaces for "Your Spaces" and their profile: every state (or only the public ones), grouped.
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { HostSpaces, SpaceState, SpaceView } from "../protocol/api.ts";
import type { Db } from "./client.ts";
import { spaces } from "./schema.ts";
import { selectSpaces, withTopics } from "./spaces.ts";

/** How many Spaces one call returns at most: plenty for a page, bounded for a busy host. */
export const HOST_SPACES_LIMIT = 100;

const PUBLIC_STATES: SpaceState[] = ["live", "scheduled", "ended"];
const ALL_STATES: SpaceState[] = ["draft", "scheduled", "live", "ended", "cancelled"];

export async function hostSpaces(db: Db, hostId: string, options: { includePrivate: boolean }): Promise<HostSpaces> {
  const states = options.includePrivate ? ALL_STATES : PUBLIC_STATES;
  const rows = await selectSpaces(db)
    .where(and(eq(spaces.hostId, hostId), inArray(spaces.state, states)))
    // Open Spaces first (they are few), then the most recent of the rest.
    .orderBy(
      desc(sql`${spaces.state} IN ('live', 'scheduled', 'draft')`),
      desc(sql`coalesce(${spaces.endedAt}, ${spaces.scheduledFor}, ${spaces.createdAt})`),
    )
    .limit(HOST_SPACES_LIMIT);
  return groupHostSpaces(await withTopics(db, rows));
}

export function groupHostSpaces(views: SpaceView[]): HostSpaces {
  const grouped: HostSpaces = { live: [], upcoming: [], drafts: [], past: [] };
  for (const view of views) {
    if (view.state === "live") grouped.live.push(view);
    else if (view.state === "scheduled") grouped.upcoming.push(view);
    else if (view.state === "draft") grouped.drafts.push(view);
    else grouped.past.push(view);
  }
  grouped.upcoming.sort((a, b) => (a.scheduledFor ?? "").localeCompare(b.scheduledFor ?? ""));
  return grouped;
}
