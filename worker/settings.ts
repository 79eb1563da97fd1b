// Settings read from wrangler.toml vars, parsed once here with their defaults, so routes and domain code agree.

/** Followers a person needs before they may host (HOST_MIN_FOLLOWERS, default 600). */
export function hostMinFollowers(env: Pick<Env, "HOST_MIN_FOLLOWERS">): number {
  const parsed = Number.parseInt(env.HOST_MIN_FOLLOWERS, 10);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : 600;
}

/** Followers count toward the host gate once their accounts are this old (HOST_FOLLOWER_MIN_AGE_DAYS, default 7). */
export function hostFollowerMinAgeMs(env: Pick<Env, "HOST_FOLLOWER_MIN_AGE_DAYS">): number {
  const parsed = Number(env.HOST_FOLLOWER_MIN_AGE_DAYS);
  return (Number.isFinite(parsed) && parsed >= 0 ? parsed : 7) * 24 * 3600 * 1000;
}

/** Drafts one host may keep at once (HOST_MAX_DRAFTS, default 20): drafts cost rows and nobody else sees them. */
export function hostMaxDrafts(env: Pick<Env, "HOST_MAX_DRAFTS">): number {
  const parsed = Number.parseInt(env.HOST_MAX_DRAFTS, 10);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : 20;
}

/** Spaces one host may have live at once (HOST_MAX_LIVE, default 10): each live room holds a Durable Object. */
export function hostMaxLive(env: Pick<Env, "HOST_MAX_LIVE">): number {
  const parsed = Number.parseInt(env.HOST_MAX_LIVE, 10);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : 10;
}

/** Sockets one person may hold open into one room (ROOM_MAX_SOCKETS_PER_PERSON, default 3: a phone, a laptop, a tab more). */
export function roomMaxSocketsPerPerson(env: Pick<Env, "ROOM_MAX_SOCKETS_PER_PERSON">): number {
  return whole(env.ROOM_MAX_SOCKETS_PER_PERSON, 3);
}

/** A whole-number var at least `min`, or its default when unset or malformed. */
function whole(value: string | undefined, fallback: number, min = 1): number {
  const parsed = Number.parseInt(value ?? "", 10);
  return Number.isFinite(parsed) && parsed >= min ? parsed : fallback;
}

type LimitVars =
  | "LOGIN_MAX_FAILURES" | "LOGIN_MAX_FAILURES_PER_ADDRESS" | "LOGIN_MAX_FAILURES_PER_HANDLE"
  | "SIGNUPS_PER_ADDRESS_PER_HOUR" | "GUEST_JOINS_PER_ADDRESS";

/** How many tries each attempt counter allows in its window (login, signup and guest-join throttles). */
export type AttemptLimits = {
  /** Wrong passwords for one handle from one address in 15 minutes, then that pair waits 15 minutes. */
  loginPerHandleAndAddress: number;
  /** Wrong passwords from one address over all handles in 15 minutes (password spraying). */
  loginPerAddress: number;
  /** Wrong passwords for one handle from everywhere in 15 minutes, then a one-minute pause only. */
  loginPerHandle: number;
  signupsPerAddressPerHour: number;
  /** Guest join tokens per address in 10 minutes. */
  guestJoinsPerAddress: number;
};

export function attemptLimits(env: Pick<Env, LimitVars>): AttemptLimits {
  return {
    loginPerHandleAndAddress: whole(env.LOGIN_MAX_FAILURES, 5),
    loginPerAddress: whole(env.LOGIN_MAX_FAILURES_PER_ADDRESS, 20),
    loginPerHandle: whole(env.LOGIN_MAX_FAILURES_PER_HANDLE, 50),
    signupsPerAddressPerHour: whole(env.SIGNUPS_PER_ADDRESS_PER_HOUR, 10),
    guestJoinsPerAddress: whole(env.GUEST_JOINS_PER_ADDRESS, 30),
  };
}

/**
 * Open ticket holds (unpaid checkouts, 30 minutes each) at once: per account over all Spaces
 * (TICKET_MAX_HOLDS_PER_USER, default 3) and per address (TICKET_MAX_HOLDS_PER_ADDRESS, default 2), so a few
 * throwaway accounts on one network cannot hold a small Space's every seat.
 */
export function ticketHoldLimits(env: Pick<Env, "TICKET_MAX_HOLDS_PER_USER" | "TICKET_MAX_HOLDS_PER_ADDRESS">): { perUser: number; perAddress: number } {
  return { perUser: whole(env.TICKET_MAX_HOLDS_PER_USER, 3), perAddress: whole(env.TICKET_MAX_HOLDS_PER_ADDRESS, 2) };
}

/** The platform's cut of ticket sales in percent (PLATFORM_FEE_PERCENT, 0–100, default 10). */
export function platformFeePercent(env: Pick<Env, "PLATFORM_FEE_PERCENT">): number {
  const parsed = Number(env.PLATFORM_FEE_PERCENT);
  return Number.isFinite(parsed) && parsed >= 0 && parsed <= 100 ? parsed : 10;
}

/** How long a waitlist offer holds its seat (WAITLIST_OFFER_MINUTES, default 15; fractions allowed), in ms. */
export function waitlistOfferMs(env: Pick<Env, "WAITLIST_OFFER_MINUTES">): number {
  const parsed = Number(env.WAITLIST_OFFER_MINUTES);
  return (Number.isFinite(parsed) && parsed > 0 ? parsed : 15) * 60 * 1000;
}

/** The app's public origin for links and redirects: APP_ORIGIN when set, else the request's own origin. */
export function appOrigin(env: Pick<Env, "APP_ORIGIN">, requestUrl: string): string {
  return env.APP_ORIGIN || new URL(requestUrl).origin;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || hostname.endsWith(".localhost") || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * Whether per-address limits are lifted for this request: SPACES_LOAD_TEST is "1" and the request's host (and its
 * Origin, when sent) are loopback, so one machine can play thousands of people. A deployed Worker is reached under
 * its public host, so even a stray SPACES_LOAD_TEST there changes nothing.
 */
export function perAddressLimitsLifted(env: Pick<Env, "SPACES_LOAD_TEST">, request: Request): boolean {
  if (env.SPACES_LOAD_TEST !== "1") return false;
  if (!isLoopback(new URL(request.url).hostname)) return false;
  const origin = request.headers.get("Origin");
  if (origin === null) return true;
  try {
    return isLoopback(new URL(origin).hostname);
  } catch {
    return false;
  }
}

/** Whether a public, non-ticketed live Space can be heard without an account (GUEST_LISTENING, default on). */
export function guestListening(env: Pick<Env, "GUEST_LISTENING">): boolean {
  return (env.GUEST_LISTENING ?? "").trim().toLowerCase() !== "false";
}

/**
 * Room size from which new plain listeners' sockets go to shard objects under the room (SHARD_THRESHOLD); null (the
 * default, "off" or empty) keeps every socket in the room. The bench's shard run measures where shards stop costing more.
 */
export function shardThreshold(env: Partial<Pick<Env, "SHARD_THRESHOLD">>): number | null {
  const parsed = Number.parseInt(env.SHARD_THRESHOLD ?? "", 10);
  return Number.isFinite(parsed) && parsed >= 1 ? parsed : null;
}

/** Listeners one shard is meant to hold before the room spreads joins over more shards (SHARD_CAPACITY, default 5000). */
export function shardCapacity(env: Partial<Pick<Env, "SHARD_CAPACITY">>): number {
  const parsed = Number.parseInt(env.SHARD_CAPACITY ?? "", 10);
  return Number.isFinite(parsed) && parsed >= 1 ? parsed : 5000;
}

/**
 * Children one object of the shard tree calls per frame (SHARD_FANOUT, default 99, what `npm run sim:fanout` sizes a
 * relay to at a million listeners): once a region's leaf shards outnumber it, they go under relay shards and the room
 * calls the relays. "off" keeps every shard directly under the room.
 */
export function shardFanout(env: Partial<Pick<Env, "SHARD_FANOUT">>): number | null {
  const setting = (env.SHARD_FANOUT ?? "").trim().toLowerCase();
  if (setting === "off") return null;
  const parsed = Number.parseInt(setting, 10);
  return Number.isFinite(parsed) && parsed >= 1 ? parsed : 99;
}

/** How long a shard's count report holds (SHARD_LEASE_SECONDS, default 15): a shard silent for longer stops being
 *  counted, so no ghost listener outlives it by more than this. Shards renew every third of it. */
export function shardLeaseMs(env: Partial<Pick<Env, "SHARD_LEASE_SECONDS">>): number {
  const parsed = Number(env.SHARD_LEASE_SECONDS ?? "");
  return (Number.isFinite(parsed) && parsed >= 1 ? parsed : 15) * 1000;
}
