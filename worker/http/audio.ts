// Audio routes: a person's Calls session, publishing their mic, pulling the stage's tracks, renegotiating and closing.
// Each call asks the Space's room for the caller's current role; the Calls secret stays in the Worker.
import { Hono } from "hono";
import { z } from "zod";
import { verifyJoinToken } from "../auth/tokens.ts";
import { forceCloseTrack } from "../audio/track-closer.ts";
import { callsConfigured, callsFor } from "../audio/calls-for-env.ts";
import { signAudioSession, verifyAudioSession } from "../audio/session-token.ts";
import { verifyGuestToken } from "../auth/tokens.ts";
import { GUEST_TOKEN_HEADER, isGuestId } from "../protocol/guest.ts";
import { guestListening } from "../settings.ts";
import type { CallsClient } from "../calls/client.ts";
import type { CallsError } from "../calls/types.ts";
import type { AudioSession, CloseResponse, PublishResponse, PullResponse } from "../protocol/audio.ts";
import type { Role, TrackRef } from "../protocol/room.ts";
import { roomFor } from "../space/space-room.ts";
import { shardRegionFor } from "../space/shard-wire.ts";
import type { JoinTicketId } from "../space/room-entry.ts";
import { requireUserId, type AppContext, type AppEnv } from "./context.ts";
import { ApiError, forbidden } from "./errors.ts";
import { check, jsonBody, param } from "./validate.ts";

const sdp = z.string().min(10).max(100_000);
const sessionToken = z.string().min(10).max(2_000);
const mid = z.string().min(1).max(32);
const trackRef = z.object({ sessionId: z.string().min(1).max(128), trackName: z.string().min(1).max(64) });

const sessionSchema = z.object({ joinToken: z.string().min(10).max(4_000).optional() });
const publishSchema = z.object({ sessionToken, offer: sdp, mid });
const pullSchema = z.object({ sessionToken, tracks: z.array(trackRef).min(1).max(64) });
const renegotiateSchema = z.object({ sessionToken, answer: sdp });
const closeSchema = z.object({ sessionToken, mids: z.array(mid).min(1).max(64), offer: sdp.optional() });

type Caller = { userId: string; spaceId: string; role: Role; calls: CallsClient };

/** The signed-in person, else a guest holding a guest token for this Space (where guests may listen), else 401. */
async function callerId(c: AppContext, spaceId: string): Promise<string> {
  const guestToken = c.req.header(GUEST_TOKEN_HEADER);
  if (c.get("userId") || !guestToken || !guestListening(c.env)) return requireUserId(c);
  const guestId = await verifyGuestToken(c.env.SESSION_SECRET, guestToken, spaceId);
  if (!guestId) throw new ApiError(401, "invalid_token", "The guest pass is missing, expired or for another Space; join again.");
  return guestId;
}

/** The caller (signed in or a guest) and their current role in the live room; 403 when they are not in it. */
async function caller(c: AppContext, joinToken?: string): Promise<Caller> {
  const spaceId = param(c, "id");
  const userId = await callerId(c, spaceId);
  if (!callsConfigured(c.env)) throw new ApiError(503, "audio_unavailable", "Audio is not configured on this server.");
  const region = shardRegionFor(c.env.SHARD_LOCATION_HINT ?? "", c.req.raw.cf as Record<string, unknown> | undefined);
  const room = roomFor(c.env, spaceId);
  const ticket = joinToken ? await ownTicket(c, joinToken, userId, spaceId) : null;
  // One call to the room either way: with a ticket it is spent and the role decided together.
  const entry = ticket ? await room.audioRole(userId, region, ticket) : null;
  if (entry && !entry.ok && entry.code === "token_used") {
    throw new ApiError(401, "token_used", "This join token already started an audio session; join again for a fresh one.");
  }
  const role = entry ? (entry.ok ? entry.role : null) : await room.getRoleOf(userId, region);
  if (!role) throw new ApiError(403, "not_in_room", "Join the Space before connecting its audio.");
  return { userId, spaceId, role, calls: callsFor(c.env) };
}

/**
 * A person whose room socket is still opening shows their join ticket instead: the audio session then starts in
 * parallel with the socket (a round trip saved), as a listener's; publish and pull still ask the room. Each ticket
 * starts one audio session (the room spends it); someone else's, or an invalid one, proves nothing and is not spent.
 */
async function ownTicket(c: AppContext, joinToken: string, userId: string, spaceId: string): Promise<JoinTicketId | null> {
  const claims = await verifyJoinToken(c.env.SESSION_SECRET, joinToken, spaceId);
  return claims?.userId === userId ? { tokenId: claims.tokenId, expiresAt: claims.expiresAt } : null;
}

/** The session call's body is optional (older pages send none); when present it must be the schema's JSON. */
async function optionalJson(c: AppContext): Promise<unknown> {
  const text = await c.req.text();
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_input", "The request body is not valid JSON.");
  }
}

async function sessionOf(c: AppContext, who: Caller, token: string): Promise<string> {
  const sessionId = await verifyAudioSession(c.env.SESSION_SECRET, token, who.userId, who.spaceId);
  if (!sessionId) throw new ApiError(403, "invalid_session", "This audio session is not yours; start a new one.");
  return sessionId;
}

/** Calls failures become one of our error codes; the SFU's own wording stays in the logs. */
function callsFailure(who: Caller, step: string, error: Pick<CallsError, "status" | "errorCode">): ApiError {
  console.log(JSON.stringify({ event: "calls_failed", step, spaceId: who.spaceId, userId: who.userId, status: error.status, errorCode: error.errorCode }));
  if (error.status >= 400 && error.status < 500 && error.status !== 401 && error.status !== 403) {
    return new ApiError(409, "audio_rejected", "The audio server refused that step; reconnect the audio.");
  }
  return new ApiError(502, "audio_unavailable", "The audio server did not answer; try again in a moment.");
}

/** The mid of a published track in its session, from the SFU's own session state. */
async function publishedMid(calls: CallsClient, track: TrackRef): Promise<string | undefined> {
  const state = await calls.getSession(track.sessionId);
  if (!state.ok) return undefined;
  return state.value.tracks.find((t) => t.location === "local" && t.trackName === track.trackName)?.mid;
}

const sameTrack = (a: TrackRef, b: TrackRef) => a.sessionId === b.sessionId && a.trackName === b.trackName;

export const audioRoutes = new Hono<AppEnv>()
  .post("/spaces/:id/audio/session", async (c) => {
    const body = check(sessionSchema, await optionalJson(c));
    const who = await caller(c, body.joinToken);
    const created = await who.calls.newSession();
    if (!created.ok) throw callsFailure(who, "newSession", created);
    const { sessionId } = created.value;
    const token = await signAudioSession(c.env.SESSION_SECRET, { userId: who.userId, spaceId: who.spaceId, sessionId });
    return c.json({ sessionId, sessionToken: token } satisfies AudioSession, 201);
  })
  .post("/spaces/:id/audio/publish", jsonBody(publishSchema), async (c) => {
    const who = await caller(c);
    const body = c.req.valid("json");
    // Checked before the SFU is touched: a listener's (and a guest's) session never gets a local (published) track.
    if (isGuestId(who.userId)) throw forbidden("Guests can only listen. Sign up to speak.");
    if (who.role === "listener") throw forbidden("Only speakers, co-hosts and the host can publish audio.");
    const sessionId = await sessionOf(c, who, body.sessionToken);
    const track: TrackRef = { sessionId, trackName: `mic-${crypto.randomUUID().slice(0, 8)}` };
    const pushed = await who.calls.newTracks(sessionId, {
      sessionDescription: { type: "offer", sdp: body.offer },
      tracks: [{ location: "local", mid: body.mid, trackName: track.trackName }],
    });
    if (!pushed.ok) throw callsFailure(who, "publish", pushed);
    if (pushed.value.trackErrors[0]) throw callsFailure(who, "publish", { status: 400, errorCode: pushed.value.trackErrors[0].errorCode });
    const recorded = await roomFor(c.env, who.spaceId).setTrack(who.userId, track);
    if (!recorded.ok) {
      // Demoted between the role check and now: the track must not stay open.
      await forceCloseTrack(who.calls, track);
      throw forbidden("Only speakers, co-hosts and the host can publish audio.");
    }
    console.log(JSON.stringify({ event: "audio_published", spaceId: who.spaceId, userId: who.userId, trackName: track.trackName }));
    return c.json({ answer: pushed.value.sessionDescription?.sdp ?? "", track } satisfies PublishResponse);
  })
  .post("/spaces/:id/audio/pull", jsonBody(pullSchema), async (c) => {
    const who = await caller(c);
    const body = c.req.valid("json");
    const sessionId = await sessionOf(c, who, body.sessionToken);
    const stage = await roomFor(c.env, who.spaceId).stageTracks();
    const allowed = body.tracks.filter((wanted) => stage.some((owned) => sameTrack(owned.track, wanted)));
    const refused = body.tracks.filter((wanted) => !allowed.includes(wanted));
    if (allowed.length === 0) throw forbidden("Only tracks of people on this Space's stage can be pulled.");
    const pulled = await who.calls.newTracks(sessionId, {
      tracks: allowed.map((t) => ({ location: "remote" as const, sessionId: t.sessionId, trackName: t.trackName })),
    });
    if (!pulled.ok) throw callsFailure(who, "pull", pulled);
    const tracks = pulled.value.tracks
      .filter((t) => !t.errorCode && t.mid && t.sessionId && t.trackName)
      .map((t) => ({ sessionId: t.sessionId as string, trackName: t.trackName as string, mid: t.mid as string }));
    for (const failed of pulled.value.trackErrors) {
      if (failed.sessionId && failed.trackName) refused.push({ sessionId: failed.sessionId, trackName: failed.trackName });
    }
    return c.json({
      offer: pulled.value.sessionDescription?.sdp ?? null,
      requiresImmediateRenegotiation: pulled.value.requiresImmediateRenegotiation,
      tracks,
      refused,
    } satisfies PullResponse);
  })
  .post("/spaces/:id/audio/renegotiate", jsonBody(renegotiateSchema), async (c) => {
    const who = await caller(c);
    const body = c.req.valid("json");
    const sessionId = await sessionOf(c, who, body.sessionToken);
    const result = await who.calls.renegotiate(sessionId, { type: "answer", sdp: body.answer });
    if (!result.ok) throw callsFailure(who, "renegotiate", result);
    return c.json({ ok: true });
  })
  .post("/spaces/:id/audio/close", jsonBody(closeSchema), async (c) => {
    const who = await caller(c);
    const body = c.req.valid("json");
    const sessionId = await sessionOf(c, who, body.sessionToken);
    const room = roomFor(c.env, who.spaceId);
    const mine = (await room.stageTracks()).find((owned) => owned.userId === who.userId)?.track;
    // Calls answers a close with mids only, so the caller's own published mid is looked up before closing.
    const myMid = mine && mine.sessionId === sessionId ? await publishedMid(who.calls, mine) : undefined;
    // Calls requires the browser's offer for a negotiated close; without one the tracks are closed outright.
    const closed = await who.calls.closeTracks(sessionId, {
      tracks: body.mids.map((m) => ({ mid: m })),
      ...(body.offer ? { sessionDescription: { type: "offer" as const, sdp: body.offer } } : {}),
      force: !body.offer,
    });
    if (!closed.ok) throw callsFailure(who, "close", closed);
    if (myMid !== undefined && closed.value.tracks.some((t) => t.mid === myMid && !t.errorCode)) {
      await room.setTrack(who.userId, null);
    }
    const description = closed.value.sessionDescription;
    return c.json({
      answer: description?.type === "answer" ? description.sdp : null,
      offer: description?.type === "offer" ? description.sdp : null,
      requiresImmediateRenegotiation: closed.value.requiresImmediateRenegotiation,
    } satisfies CloseResponse);
  });
