// Going live and joining: POST /spaces/:id/start|end (host only), POST /spaces/:id/join → { url, token, protocols } (a
// listen-only guest join without a session where GUEST_LISTENING allows it), and GET /spaces/:id/live, which verifies
// the join token (from Sec-WebSocket-Protocol, so it stays out of URLs and logs) and hands the room a verified identity.
import { Hono } from "hono";
import { announceSpaceLive } from "../announce.ts";
import { signGuestToken, signJoinToken, verifyGuestToken, verifyJoinToken } from "../auth/tokens.ts";
import { claimAttempt, guestJoinCounters } from "../db/login-attempts.ts";
import { GUEST_PREFIX, GUEST_TOKEN_HEADER, type GuestJoin } from "../protocol/guest.ts";
import { attemptLimits, guestListening, hostMaxLive, perAddressLimitsLifted, shardCapacity, shardFanout, shardLeaseMs, shardThreshold } from "../settings.ts";
import { getSpaceView } from "../db/spaces.ts";
import { avatarUrlOf, findUserById } from "../db/users.ts";
import { joinFacts, type JoinFacts } from "../db/join-facts.ts";
import { liveSpaceCount, markLive, recordEnd } from "../db/space-lifecycle.ts";
import type { Space } from "../db/schema.ts";
import { encodeIdentity, IDENTITY_HEADER } from "../space/room-sockets.ts";
import { encodeTicket, TICKET_HEADER } from "../space/room-entry.ts";
import { ROOM_SUBPROTOCOL } from "../protocol/room.ts";
import { roomFor } from "../space/space-room.ts";
import { shardFor } from "../space/space-shard.ts";
import {
  encodeHeader, locationHintFor, PLACEMENT_HEADER, shardRegionFor, ROUTE_HEADER, SHARD_HEADER, SNAPSHOT_HEADER,
  type Admission, type Placement, type ShardAddress,
} from "../space/shard-wire.ts";
import { tellWatchers } from "../space/watchers.ts";
import { clientAddress, requireUserId, type AppContext, type AppEnv } from "./context.ts";
import { db } from "../db/client.ts";
import { assertCanEnter } from "./entry-gate.ts";
import { ApiError, notFound, unauthorized } from "./errors.ts";
import { applyRecordOnStart } from "./recording.ts";
import { hostedSpace } from "./space-input.ts";
import { param } from "./validate.ts";

const spaceEnded = () => new ApiError(410, "space_ended", "This Space has ended.");
const notLive = () => new ApiError(409, "space_not_live", "This Space is not live yet.");

async function spaceView(c: AppContext, id: string) {
  const space = await getSpaceView(db(c.env), id);
  if (!space) throw notFound("That Space");
  return space;
}

/** The room socket's address and the subprotocols that carry the token (DESIGN: `new WebSocket(url, protocols)`). */
function roomTicket(c: AppContext, spaceId: string, token: string): JoinTicket {
  const url = new URL(`/api/spaces/${spaceId}/live`, c.req.url);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return { url: url.toString(), token, protocols: [ROOM_SUBPROTOCOL, token] };
}

/**
 * The join token of an upgrade. With a Sec-WebSocket-Protocol header it must be there, beside `spaces`; `?token=` is
 * read only when no subprotocol was offered (DESIGN's contract, for clients that cannot set one), and a token used
 * there is single-use like any other, so a copy left in a log has already been spent.
 */
function upgradeToken(c: AppContext): string | undefined {
  const offered = c.req.header("Sec-WebSocket-Protocol");
  if (offered === undefined) return c.req.query("token");
  const names = offered.split(",").map((name) => name.trim());
  if (!names.includes(ROOM_SUBPROTOCOL)) return undefined;
  return names.find((name) => name !== ROOM_SUBPROTOCOL && name !== "");
}

/**
 * A listen-only join for someone without an account: only where GUEST_LISTENING allows it and the Space needs no
 * ticket, and at most a few per address (claimed atomically, like signups). A guest who still holds a token for this
 * Space (a reconnect) keeps their guest id, so they are not counted twice.
 */
async function guestJoin(c: AppContext, space: Space): Promise<GuestJoin> {
  if (!guestListening(c.env)) throw unauthorized();
  if (space.ticketCapacity !== null) {
    throw new ApiError(402, "ticket_required", "This Space needs a ticket. Sign in and buy one to join.");
  }
  // A local load test (SPACES_LOAD_TEST on loopback) plays thousands of guests from one address.
  const lifted = perAddressLimitsLifted(c.env, c.req.raw);
  const wait = lifted ? 0 : await claimAttempt(db(c.env), guestJoinCounters(clientAddress(c), attemptLimits(c.env)), Date.now());
  if (wait > 0) {
    c.header("Retry-After", String(Math.ceil(wait / 1000)));
    throw new ApiError(429, "too_many_guest_joins", "Too many guests joined from this network. Sign in, or try again later.");
  }
  const held = c.req.header(GUEST_TOKEN_HEADER);
  const previous = held ? await verifyGuestToken(c.env.SESSION_SECRET, held, space.id) : null;
  const guestId = previous ?? `${GUEST_PREFIX}${crypto.randomUUID()}`;
  const token = await signJoinToken(c.env.SESSION_SECRET, {
    userId: guestId,
    handle: "guest",
    displayName: "Guest",
    spaceId: space.id,
    hostFollows: false,
  });
  console.log(JSON.stringify({ event: "guest_joined", spaceId: space.id, returning: previous !== null }));
  const guestToken = await signGuestToken(c.env.SESSION_SECRET, guestId, space.id);
  return { ...roomTicket(c, space.id, token), guest: { id: guestId, token: guestToken } };
}

export type JoinTicket = { url: string; token: string; protocols: string[] };

/**
 * A join ticket (the room socket's URL and a signed token) for a live Space the person may enter; the contract's
 * errors otherwise. Shared by POST /join and by GET /spaces/:id?join=1, which saves the page a round trip. Everything
 * it reads comes from one statement (`joinFacts`); only a ticketed Space's ticketless visitor also asks the room.
 */
export async function issueJoin(c: AppContext, facts: JoinFacts, userId: string): Promise<JoinTicket> {
  const { space, user } = facts;
  if (space.state === "ended" || space.state === "cancelled") throw spaceEnded();
  if (space.state !== "live") throw notLive();
  await assertCanEnter(c.env, facts, userId);
  if (!user) throw unauthorized();
  const token = await signJoinToken(c.env.SESSION_SECRET, {
    userId,
    handle: user.handle,
    displayName: user.displayName,
    spaceId: space.id,
    hostFollows: userId === space.hostId || facts.hostFollows,
    avatarUrl: avatarUrlOf(user.avatarKey),
  });
  return roomTicket(c, space.id, token);
}

export const liveRoutes = new Hono<AppEnv>()
  .post("/spaces/:id/start", async (c) => {
    const space = await hostedSpace(c);
    if (space.state === "ended" || space.state === "cancelled") throw spaceEnded();
    const maxLive = hostMaxLive(c.env);
    const tooManyLive = () => new ApiError(409, "too_many_live", `You can have at most ${maxLive} Space(s) live at once. End one first.`);
    // A cheap early refusal; the binding check is markLive's guarded statement below.
    if (space.state !== "live" && (await liveSpaceCount(db(c.env), space.hostId)) >= maxLive) throw tooManyLive();
    const host = await findUserById(db(c.env), space.hostId);
    if (!host) throw unauthorized();
    const startedAt = space.startedAt ?? Date.now();
    // The room opens before D1 says "live", so anyone who sees the Space live finds an open room.
    const opened = await roomFor(c.env, space.id).start(
      { id: space.id, title: space.title, hostId: space.hostId, startedAt, speakPolicy: space.speakPolicy },
      { userId: host.id, handle: host.handle, displayName: host.displayName, hostFollows: true, avatarUrl: avatarUrlOf(host.avatarKey) },
    );
    if (!opened.ok) throw spaceEnded();
    if (space.state !== "live") {
      if (await markLive(db(c.env), space.id, space.hostId, startedAt, maxLive)) {
        console.log(JSON.stringify({ event: "space_started", spaceId: space.id, hostId: space.hostId }));
        // Read once live, so a choice made while this start ran is not lost (the recording route's guard).
        await applyRecordOnStart(c.env, space.id);
        c.executionCtx.waitUntil(announceSpaceLive(c.env, space.id));
        c.executionCtx.waitUntil(tellWatchers(c.env, space.id, "live"));
      } else {
        const now = await getSpaceView(db(c.env), space.id);
        // Another start of this same Space won (a double click): it is live, and this answer says so too.
        if (now?.state !== "live") {
          // D1 never said live, so nobody could join the room that opened above: it closes again, unannounced.
          await roomFor(c.env, space.id).abandon();
          throw now?.state === "ended" || now?.state === "cancelled" ? spaceEnded() : tooManyLive();
        }
      }
    }
    return c.json({ space: await spaceView(c, space.id) });
  })
  .post("/spaces/:id/end", async (c) => {
    const space = await hostedSpace(c);
    if (space.state === "draft" || space.state === "scheduled") throw notLive();
    if (space.state === "live") {
      const ended = await roomFor(c.env, space.id).end("host_ended");
      // A live row without a room (never opened) is closed here so it cannot stay "live" forever.
      // The room tells the Space's watchers itself when it ends; a room that never opened cannot.
      if (!ended.ok) {
        await recordEnd(db(c.env), space.id, Date.now(), space.peakListeners);
        c.executionCtx.waitUntil(tellWatchers(c.env, space.id, "ended"));
      }
    }
    return c.json({ space: await spaceView(c, space.id) });
  })
  .post("/spaces/:id/join", async (c) => {
    // The session middleware left this route the cookie's signed claim: its session row is read in the join's one
    // statement below instead of a query of its own (one D1 round trip for the whole join).
    const cookie = c.get("sessionClaim");
    if (!cookie && !guestListening(c.env)) throw unauthorized();
    const spaceId = param(c, "id");
    const facts = await joinFacts(db(c.env), spaceId, cookie?.userId ?? "", cookie ? { sessionId: cookie.sessionId, now: Date.now() } : null);
    const signedIn = cookie && facts?.sessionUserId === cookie.userId ? cookie.userId : null;
    c.set("userId", signedIn);
    if (!signedIn && !guestListening(c.env)) throw unauthorized();
    if (!facts) throw notFound("That Space");
    const { space } = facts;
    if (!signedIn) {
      if (space.state === "ended" || space.state === "cancelled") throw spaceEnded();
      if (space.state !== "live") throw notLive();
      return c.json(await guestJoin(c, space));
    }
    return c.json(await issueJoin(c, facts, signedIn));
  })
  .get("/spaces/:id/live", async (c) => {
    const spaceId = param(c, "id");
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError(426, "upgrade_required", "This address only accepts WebSocket connections.");
    }
    const token = upgradeToken(c);
    const claims = token ? await verifyJoinToken(c.env.SESSION_SECRET, token, spaceId) : null;
    if (!claims) {
      throw new ApiError(401, "invalid_token", "The join token is missing, expired or for another Space; join again.");
    }
    const headers = new Headers(c.req.raw.headers);
    headers.delete("Cookie");
    // The room (and a shard) needs to know the subprotocol was offered, to answer it; not the token itself.
    if (headers.has("Sec-WebSocket-Protocol")) headers.set("Sec-WebSocket-Protocol", ROOM_SUBPROTOCOL);
    const { userId, handle, displayName, hostFollows, avatarUrl } = claims;
    headers.set(IDENTITY_HEADER, encodeIdentity({ userId, handle, displayName, hostFollows, avatarUrl }));
    headers.set(TICKET_HEADER, encodeTicket(claims));
    const placement = placementFor(c);
    headers.set(PLACEMENT_HEADER, encodeHeader(placement));
    const url = new URL(c.req.url);
    url.search = "";
    const answer = await roomFor(c.env, spaceId).fetch(new Request(url, { headers }));
    if (answer.headers.get(ROUTE_HEADER) !== "shard") return answer;
    // The room counted the listener and sends them to a shard near them, with the snapshot it made.
    const admission = (await answer.json()) as Admission;
    const address: ShardAddress = { spaceId, shard: admission.shard, leaseMs: placement.leaseMs, parent: admission.parent ?? null };
    headers.set(SHARD_HEADER, encodeHeader(address));
    headers.set(SNAPSHOT_HEADER, encodeHeader(admission.snapshot));
    return shardFor(c.env, spaceId, admission.shard, placement.locationHint).fetch(new Request(url, { headers }));
  });

/** Where this join's shard would go: the settings, and a location hint from the setting or this request's place. */
function placementFor(c: AppContext): Placement {
  const locationHint = locationHintFor(c.env.SHARD_LOCATION_HINT ?? "", c.req.raw.cf as Record<string, unknown> | undefined);
  return {
    threshold: shardThreshold(c.env),
    capacity: shardCapacity(c.env),
    leaseMs: shardLeaseMs(c.env),
    fanout: shardFanout(c.env),
    locationHint,
    region: shardRegionFor(c.env.SHARD_LOCATION_HINT ?? "", c.req.raw.cf as Record<string, unknown> | undefined),
  };
}
