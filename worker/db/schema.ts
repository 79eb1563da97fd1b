// Drizzle schema for D1: the one source of database row types. Migrations in migrations/ are generated from it.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { SPACE_STATES, SPEAK_POLICIES } from "../protocol/api.ts";

const createdAt = () =>
  integer("created_at", { mode: "number" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    handle: text("handle").notNull(),
    displayName: text("display_name").notNull(),
    passwordHash: text("password_hash").notNull(),
    passwordSalt: text("password_salt").notNull(),
    // Secret for the personal calendar feed URL (/api/calendar/:token.ics).
    calendarToken: text("calendar_token").notNull(),
    stripeAccountId: text("stripe_account_id"),
    stripeChargesEnabled: integer("stripe_charges_enabled", { mode: "boolean" }).notNull().default(false),
    // R2 key (in MEDIA, under avatars/) of the profile picture; null shows initials.
    avatarKey: text("avatar_key"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("users_handle_lower").on(sql`lower(${t.handle})`),
    uniqueIndex("users_calendar_token").on(t.calendarToken),
  ],
);

export const follows = sqliteTable(
  "follows",
  {
    followerId: text("follower_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    followeeId: text("followee_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.followerId, t.followeeId] }), index("follows_followee").on(t.followeeId)],
);

// Attempt counters for logins and signups (db/login-attempts.ts): the key names what is counted, e.g. "pair:<handle>|<address>".
export const loginAttempts = sqliteTable("login_attempts", {
  handleLower: text("handle_lower").primaryKey(),
  failures: integer("failures").notNull().default(0),
  windowStart: integer("window_start").notNull(),
  lockedUntil: integer("locked_until"),
});

// Server-side sessions: the cookie carries a signed session id, and a session ends when its row goes (logout).
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    expiresAt: integer("expires_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("sessions_user").on(t.userId)],
);

export const spaces = sqliteTable(
  "spaces",
  {
    id: text("id").primaryKey(),
    hostId: text("host_id").notNull().references(() => users.id),
    title: text("title").notNull(),
    state: text("state", { enum: SPACE_STATES }).notNull(),
    speakPolicy: text("speak_policy", { enum: SPEAK_POLICIES }).notNull().default("everyone"),
    scheduledFor: integer("scheduled_for"),
    startedAt: integer("started_at"),
    endedAt: integer("ended_at"),
    peakListeners: integer("peak_listeners").notNull().default(0),
    listenerCount: integer("listener_count").notNull().default(0),
    ticketPriceCents: integer("ticket_price_cents"),
    ticketCurrency: text("ticket_currency"),
    ticketCapacity: integer("ticket_capacity"),
    ticketsSold: integer("tickets_sold").notNull().default(0),
    ticketsHeld: integer("tickets_held").notNull().default(0),
    /** The host turned recording on before the start (draft or scheduled): the room records from its first second. */
    recordOnStart: integer("record_on_start", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    index("spaces_state_scheduled").on(t.state, t.scheduledFor),
    index("spaces_host_state").on(t.hostId, t.state),
  ],
);

export const spaceTopics = sqliteTable(
  "space_topics",
  {
    spaceId: text("space_id").notNull().references(() => spaces.id, { onDelete: "cascade" }),
    topic: text("topic").notNull(),
  },
  (t) => [primaryKey({ columns: [t.spaceId, t.topic] }), index("space_topics_topic").on(t.topic)],
);

// A host's block list: blocked people cannot join any of that host's Spaces.
export const blocks = sqliteTable(
  "blocks",
  {
    hostId: text("host_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    blockedId: text("blocked_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.hostId, t.blockedId] })],
);

// A seat held while a Checkout Session is open; completed → a ticket, expired → seat released. A waitlist offer is a
// hold too (source 'waitlist'), keyed `wl_…` with no Checkout Session until its person presses Buy.
export const ticketHolds = sqliteTable(
  "ticket_holds",
  {
    checkoutSessionId: text("checkout_session_id").primaryKey(),
    spaceId: text("space_id").notNull().references(() => spaces.id),
    userId: text("user_id").notNull().references(() => users.id),
    checkoutUrl: text("checkout_url").notNull(),
    status: text("status", { enum: ["open", "completed", "expired"] }).notNull().default("open"),
    expiresAt: integer("expires_at").notNull(),
    source: text("source", { enum: ["checkout", "waitlist"] }).notNull().default("checkout"),
    createdAt: createdAt(),
    /** A keyed hash of the buyer's address (not the address): open holds per address are limited by it. */
    addressKey: text("address_key"),
  },
  (t) => [
    index("ticket_holds_space_user").on(t.spaceId, t.userId, t.status),
    index("ticket_holds_open_expiry").on(t.status, t.expiresAt),
    index("ticket_holds_user_open").on(t.userId, t.status, t.expiresAt),
    index("ticket_holds_address_open").on(t.addressKey, t.status, t.expiresAt),
  ],
);

// People waiting for a seat of a sold-out ticketed Space, first in first out by `id`. A row leaves when its person
// leaves the line or is offered a seat (db/waitlist.ts).
export const waitlistEntries = sqliteTable(
  "waitlist_entries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    spaceId: text("space_id").notNull().references(() => spaces.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("waitlist_space_user").on(t.spaceId, t.userId), index("waitlist_space_order").on(t.spaceId, t.id)],
);

export const tickets = sqliteTable(
  "tickets",
  {
    id: text("id").primaryKey(),
    spaceId: text("space_id").notNull().references(() => spaces.id),
    userId: text("user_id").notNull().references(() => users.id),
    checkoutSessionId: text("checkout_session_id").notNull(),
    paymentIntentId: text("payment_intent_id"),
    amountCents: integer("amount_cents").notNull(),
    feeCents: integer("fee_cents").notNull().default(0),
    status: text("status", { enum: ["paid", "refunded"] }).notNull().default("paid"),
    refundId: text("refund_id"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("tickets_space_user").on(t.spaceId, t.userId),
    uniqueIndex("tickets_checkout_session").on(t.checkoutSessionId),
  ],
);

// Every Stripe event id we have applied, written in the same batch as its effect.
export const stripeEvents = sqliteTable("stripe_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  receivedAt: createdAt(),
});

export const reminders = sqliteTable(
  "reminders",
  {
    spaceId: text("space_id").notNull().references(() => spaces.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    sentAt: integer("sent_at"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.spaceId, t.userId] }), index("reminders_unsent").on(t.sentAt)],
);

export const notificationKinds = ["space_live", "space_reminder", "space_cancelled", "ticket_refunded", "waitlist_offer"] as const;
export type NotificationKind = (typeof notificationKinds)[number];

export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: notificationKinds }).notNull(),
    spaceId: text("space_id").references(() => spaces.id, { onDelete: "cascade" }),
    text: text("text").notNull(),
    // Unique per (user, event) so a retried or overlapping producer never notifies twice.
    dedupeKey: text("dedupe_key").notNull(),
    readAt: integer("read_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("notifications_dedupe").on(t.dedupeKey), index("notifications_user").on(t.userId, t.createdAt)],
);

export const pushSubscriptions = sqliteTable(
  "push_subscriptions",
  {
    endpoint: text("endpoint").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    p256dh: text("p256dh").notNull(),
    auth: text("auth").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("push_subscriptions_user").on(t.userId)],
);

// Final speech-to-text segments of a Space's stage, times in ms from the Space's start. Full-text search over the
// text lives in the FTS5 table transcript_fts (a hand-written migration: drizzle has no virtual tables), written in
// the same batch as each insert here.
export const transcriptSegments = sqliteTable(
  "transcript_segments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    spaceId: text("space_id").notNull().references(() => spaces.id, { onDelete: "cascade" }),
    speakerId: text("speaker_id").notNull(),
    handle: text("handle").notNull(),
    text: text("text").notNull(),
    startMs: integer("start_ms").notNull(),
    endMs: integer("end_ms").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("transcript_segments_space_start").on(t.spaceId, t.startMs)],
);

export type User = typeof users.$inferSelect;
export type Space = typeof spaces.$inferSelect;
export type Ticket = typeof tickets.$inferSelect;
export type Notification = typeof notifications.$inferSelect;

// A Space's recording once produced (one replay object in R2) and the clips cut from it. Times in ms on the Space's
// timeline; `offsetMs` is where the replay's 0 falls in it. Deleted by the host or by retention (R2 objects first).
export const recordings = sqliteTable("recordings", {
  spaceId: text("space_id").primaryKey().references(() => spaces.id, { onDelete: "cascade" }),
  audioKey: text("audio_key").notNull(),
  contentType: text("content_type").notNull(),
  bytes: integer("bytes").notNull(),
  offsetMs: integer("offset_ms").notNull(),
  durationMs: integer("duration_ms").notNull(),
  /** JSON [{ atMs, counts }] per second with reactions, atMs on the replay's timeline. */
  reactions: text("reactions").notNull(),
  createdAt: createdAt(),
  /** Set when the host deleted it or retention did: the replay page says so. */
  deletedAt: integer("deleted_at"),
});

export const clips = sqliteTable(
  "clips",
  {
    id: text("id").primaryKey(),
    spaceId: text("space_id").notNull().references(() => spaces.id, { onDelete: "cascade" }),
    createdBy: text("created_by").notNull(),
    audioKey: text("audio_key").notNull(),
    startMs: integer("start_ms").notNull(),
    endMs: integer("end_ms").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("clips_space").on(t.spaceId), index("clips_created").on(t.createdAt)],
);

export type Recording = typeof recordings.$inferSelect;
export type Clip = typeof clips.$inferSelect;
