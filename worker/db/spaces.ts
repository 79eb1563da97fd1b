// Queries about Spaces: creation, lookup, listing/search, and the public view the API returns.
import { and, asc, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { SpaceState, SpaceView, SpeakPolicy } from "../protocol/api.ts";
import { batch, statement, type Db } from "./client.ts";
import { spaces, spaceTopics, users, type Space } from "./schema.ts";
import { avatarUrlOf } from "./users.ts";
import { ftsQueryOf } from "./transcripts.ts";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

type SpaceRow = Space & { hostHandle: string; hostDisplayName: string; hostAvatarKey?: string | null };

export function toSpaceView(row: SpaceRow, topics: string[]): SpaceView {
  return {
    id: row.id,
    title: row.title,
    state: row.state,
    host: { id: row.hostId, handle: row.hostHandle, displayName: row.hostDisplayName, avatarUrl: avatarUrlOf(row.hostAvatarKey) },
    speakPolicy: row.speakPolicy,
    topics,
    scheduledFor: iso(row.scheduledFor),
    startedAt: iso(row.startedAt),
    endedAt: iso(row.endedAt),
    listenerCount: row.listenerCount,
    peakListeners: row.peakListeners,
    recordOnStart: row.recordOnStart,
    ticket:
      row.ticketCapacity === null || row.ticketPriceCents === null
        ? null
        : {
            priceCents: row.ticketPriceCents,
            currency: row.ticketCurrency ?? "usd",
            capacity: row.ticketCapacity,
            sold: row.ticketsSold,
            left: Math.max(0, row.ticketCapacity - row.ticketsSold - row.ticketsHeld),
          },
  };
}

export function selectSpaces(db: Db) {
  return db
    .select({
      space: spaces,
      hostHandle: users.handle,
      hostDisplayName: users.displayName,
      hostAvatarKey: users.avatarKey,
    })
    .from(spaces)
    .innerJoin(users, eq(users.id, spaces.hostId));
}

export async function withTopics(db: Db, rows: { space: Space; hostHandle: string; hostDisplayName: string; hostAvatarKey: string | null }[]) {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.space.id);
  const topicRows = await db.select().from(spaceTopics).where(inArray(spaceTopics.spaceId, ids));
  const bySpace = new Map<string, string[]>();
  for (const t of topicRows) bySpace.set(t.spaceId, [...(bySpace.get(t.spaceId) ?? []), t.topic]);
  return rows.map((r) =>
    toSpaceView({ ...r.space, hostHandle: r.hostHandle, hostDisplayName: r.hostDisplayName, hostAvatarKey: r.hostAvatarKey }, bySpace.get(r.space.id) ?? []),
  );
}

export async function getSpaceView(db: Db, id: string): Promise<SpaceView | null> {
  const rows = await selectSpaces(db).where(eq(spaces.id, id)).limit(1);
  return (await withTopics(db, rows))[0] ?? null;
}

export async function getSpace(db: Db, id: string): Promise<Space | undefined> {
  return db.query.spaces.findFirst({ where: eq(spaces.id, id) });
}

export type NewSpace = {
  hostId: string;
  title: string;
  state: Extract<SpaceState, "draft" | "scheduled">;
  scheduledFor: number | null;
  speakPolicy: SpeakPolicy;
  topics: string[];
  ticket: { priceCents: number; currency: string; capacity: number } | null;
};

/**
 * Creates a Space; returns null when it is scheduled and the host already has `maxUpcoming` scheduled ones.
 * The count and the insert are one guarded statement (topics follow in the same batch), so two racing requests
 * cannot both take the last slot.
 */
/** Creates a Space unless its host already has `maxInState` Spaces in the new one's state (draft or scheduled). */
export async function createSpace(db: Db, input: NewSpace, maxInState = Number.POSITIVE_INFINITY): Promise<string | null> {
  const id = crypto.randomUUID();
  const limit = Number.isFinite(maxInState) ? maxInState : Number.MAX_SAFE_INTEGER;
  const insertSpace = statement(db, sql`
    INSERT INTO spaces (id, host_id, title, state, scheduled_for, speak_policy, ticket_price_cents, ticket_currency, ticket_capacity)
    SELECT ${id}, ${input.hostId}, ${input.title}, ${input.state}, ${input.scheduledFor}, ${input.speakPolicy},
      ${input.ticket?.priceCents ?? null}, ${input.ticket?.currency ?? null}, ${input.ticket?.capacity ?? null}
    WHERE (SELECT count(*) FROM spaces WHERE host_id = ${input.hostId} AND state = ${input.state}) < ${limit}`);
  const insertTopics = input.topics.map((topic) =>
    statement(db, sql`INSERT INTO space_topics (space_id, topic) SELECT ${id}, ${topic} WHERE EXISTS (SELECT 1 FROM spaces WHERE id = ${id})`),
  );
  const [created] = await batch(db, [insertSpace, ...insertTopics]);
  return (created?.meta.changes ?? 0) > 0 ? id : null;
}

export type SpaceFilter = { state?: "live" | "scheduled"; q?: string; topic?: string; hostIds?: string[]; limit?: number };

export async function listSpaces(db: Db, filter: SpaceFilter): Promise<SpaceView[]> {
  const where: SQL[] = [];
  const open = filter.state ? eq(spaces.state, filter.state) : inArray(spaces.state, ["live", "scheduled"]);
  if (filter.q) {
    const like = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    const byName = sql`(${open} AND (lower(${spaces.title}) LIKE ${like} ESCAPE '\\' OR lower(${users.handle}) LIKE ${like} ESCAPE '\\'))`;
    // Without a state filter, ended Spaces are found by the words said in them (the FTS5 transcript index).
    const words = filter.state ? null : ftsQueryOf(filter.q);
    where.push(
      words
        ? sql`(${byName} OR (${spaces.state} = 'ended' AND ${spaces.id} IN (SELECT space_id FROM transcript_fts WHERE transcript_fts MATCH ${words})))`
        : byName,
    );
  } else {
    where.push(open);
  }
  if (filter.topic) {
    where.push(sql`exists (select 1 from ${spaceTopics} where ${spaceTopics.spaceId} = ${spaces.id} and ${spaceTopics.topic} = ${filter.topic})`);
  }
  if (filter.hostIds) where.push(inArray(spaces.hostId, filter.hostIds));
  const rows = await selectSpaces(db)
    .where(and(...where))
    .orderBy(
      // Live first by audience, then upcoming soonest first.
      desc(sql`${spaces.state} = 'live'`),
      desc(spaces.listenerCount),
      asc(spaces.scheduledFor),
      desc(spaces.createdAt),
    )
    .limit(filter.limit ?? 50);
  return withTopics(db, rows);
}

/** Edits a Space only while it is still scheduled (one guarded UPDATE); topics are replaced in the same batch. */
export async function updateScheduledSpace(
  db: Db,
  id: string,
  change: { title?: string; scheduledFor?: number; topics?: string[] },
): Promise<boolean> {
  const update = db
    .update(spaces)
    .set({
      ...(change.title === undefined ? {} : { title: change.title }),
      ...(change.scheduledFor === undefined ? {} : { scheduledFor: change.scheduledFor }),
      // A no-op assignment keeps the statement valid when only topics change, so the guard still runs.
      state: sql`${spaces.state}`,
    })
    .where(and(eq(spaces.id, id), eq(spaces.state, "scheduled")))
    .returning({ id: spaces.id });
  if (change.topics === undefined) return (await update).length > 0;
  const stillScheduled = sql`exists (select 1 from ${spaces} where ${spaces.id} = ${id} and ${spaces.state} = 'scheduled')`;
  const clearTopics = db.delete(spaceTopics).where(and(eq(spaceTopics.spaceId, id), stillScheduled));
  if (change.topics.length === 0) {
    const [updated] = await db.batch([update, clearTopics]);
    return updated.length > 0;
  }
  // Topics of a Space cancelled in the same instant are harmless; the state guard above decides the answer.
  const addTopics = db
    .insert(spaceTopics)
    .values(change.topics.map((topic) => ({ spaceId: id, topic })))
    .onConflictDoNothing();
  const [updated] = await db.batch([update, clearTopics, addTopics]);
  return updated.length > 0;
}

/** Moves a Space from `from` to cancelled if nobody changed its state meanwhile. */
export async function cancelSpaceIfIn(db: Db, id: string, from: SpaceState, now: number): Promise<boolean> {
  const rows = await db
    .update(spaces)
    .set({ state: "cancelled", endedAt: from === "live" ? now : null, listenerCount: 0 })
    .where(and(eq(spaces.id, id), eq(spaces.state, from)))
    .returning({ id: spaces.id });
  return rows.length > 0;
}

/** Public views of the given Spaces (any state), in the order of `ids`. */
export async function spaceViewsByIds(db: Db, ids: string[]): Promise<SpaceView[]> {
  if (ids.length === 0) return [];
  const views = await withTopics(db, await selectSpaces(db).where(inArray(spaces.id, ids)));
  const byId = new Map(views.map((v) => [v.id, v]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
