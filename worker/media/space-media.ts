// The SpaceMedia Durable Object, one per Space beside the room: opens and closes the SFU's WebSocket adapters for
// stage tracks, receives their PCM, and runs each track through the pipeline to its sinks (speech-to-text now).
//
// States, per stage track (style of cloudflare/realtime-examples ai-tts-stt STTAdapter.md):
//   none ──openAdapter──▶ opening (row saved, SFU asked; the SFU dials our endpoint before it answers)
//   opening ──SFU answers adapterId──▶ open        opening ──SFU refuses──▶ none (row deleted, logged)
//   open ──adapter socket connects (token + adapterKey match the row)──▶ streaming
//   streaming ──socket drops──▶ open (the SFU redials the same URL within 5 s; recogniser kept until idle close)
//   open, its socket down longer than the SFU's redial window (the SFU gave up) ──watchdog, in the alarm──▶ the old
//        adapter closed (idempotent), a new one asked for under a new key (its token refuses the old one's redials);
//        Calls refusing ──▶ retried with back-off, then "failed" until the room opens it again (adapter-watchdog.ts)
//   any ──closeAdapter / closeAll (room: demote, remove, block, leave, end, captions off)──▶ none
//        (row deleted first so a late redial is refused; sockets closed; recogniser finalized; SFU told, idempotent)
// Per recogniser (inside the track's SttSink): none → connecting → open → closed; reopened on the next audio,
// at most every 5 s. Deadlines, all in the one alarm: caption flush (300 ms after the first pending caption),
// KeepAlive (a recogniser idle 4 s), idle close (no packet for 30 s: Finalize + CloseStream, adapter kept), and the
// watchdog's (end of a redial window, a retry, a check every 30 s while adapters stand; none with an empty stage).
// Hibernation: adapter sockets are hibernatable and carry their claims as the attachment; pipelines and
// recognisers live in memory and are rebuilt on the next packet after a wake (or after a reset and the SFU's redial).
// Timeline: a track's clock starts at the wall clock and then counts its audio, which can run ahead of the wall clock
// when audio comes faster than real time. How far each speaker's audio got is stored (at each final, each alarm and
// at the track's end), and a rebuilt pipeline starts no earlier than that: captions after a reset never land before
// (and sort before) those already in the transcript.
// Recording: every track also feeds a sink into the Space's one recorder (recording/space-recording.ts: its states,
// parts in R2, the replay at closeAll). Seams: the SFU calls in sfu-adapters.ts, caption delivery in caption-relay.ts.
import { DurableObject } from "cloudflare:workers";
import type { TrackRef } from "../protocol/room.ts";
import { errorResponse } from "../protocol/errors.ts";
import { tryClose } from "../sockets.ts";
import type { AdapterClaims } from "./adapter-token.ts";
import { ADAPTER_MAX_FRAME_BYTES, claimsOf, CLOSE_TOO_BIG, log, parseClaims } from "./adapter-sockets.ts";
import { adapterEndpointOrigin, captionsAvailable } from "./availability.ts";
import { AdapterWatch } from "./adapter-watch.ts";
import type { AdapterState } from "./adapter-watchdog.ts";
import { CAPTION_FLUSH_MS, CaptionBatch } from "./caption-batch.ts";
import { relayCaptions } from "./caption-relay.ts";
import { MediaStorage, type AdapterRow } from "./media-storage.ts";
import { releaseAdapter, requestAdapter } from "./sfu-adapters.ts";
import { sttProviderFor } from "./stt/provider.ts";
import { SttSink } from "./stt-sink.ts";
import { TrackPipeline } from "./track-pipeline.ts";
import { CHUNK_MS } from "./recording/mix.ts";
import { SpaceRecording, type ReactionSecond } from "./recording/space-recording.ts";

export type { ReactionSecond };

/** Header on the Worker → object upgrade request: the adapter token's claims, verified by the Worker. */
export const ADAPTER_CLAIMS_HEADER = "x-spaces-adapter";
const IDLE_CLOSE_MS = 30_000;
const KEEPALIVE_CHECK_MS = 4_000;

/** `captions`: whether the track should also go to speech-to-text (a recorded Space may have captions off). */
export type OpenAdapterRequest = { spaceId: string; startedAt: number; userId: string; handle: string; track: TrackRef; captions?: boolean };
export type MediaResult = { ok: true } | { ok: false; code: string };

type ActiveTrack = { claims: AdapterClaims; pipeline: TrackPipeline; stt: SttSink; lastPacketAt: number };

export class SpaceMedia extends DurableObject<Env> {
  private readonly store: MediaStorage;
  private readonly tracks = new Map<string, ActiveTrack>();
  private readonly captions = new CaptionBatch();
  private flushAt: number | null = null;
  private readonly recording: SpaceRecording;
  private readonly watch: AdapterWatch;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new MediaStorage(ctx.storage.sql);
    this.recording = new SpaceRecording(env, ctx.storage.sql, this.store);
    this.watch = new AdapterWatch({ env, store: this.store, sockets: (userId) => ctx.getWebSockets(userId), endTrack: (userId) => this.endTrack(userId) });
  }

  // ---- RPC from the room ----

  /** Opens (or keeps) the adapter of one speaker's track; replaces an adapter of an older track of theirs. */
  async openAdapter(request: OpenAdapterRequest): Promise<MediaResult> {
    const origin = adapterEndpointOrigin(this.env);
    // Adapters serve captions (when this deployment can caption) and the recorder (whenever recording is on).
    if (!origin || (!captionsAvailable(this.env) && !this.recording.on)) return { ok: false, code: "captions_unavailable" };
    this.store.setMeta("spaceId", request.spaceId);
    this.store.setMeta("startedAt", String(request.startedAt));
    this.store.setMeta("captions", request.captions === false ? "0" : "1");
    const existing = this.store.adapter(request.userId);
    // An adapter the watchdog gave up on is opened afresh when the room asks again (the speaker republished).
    if (existing && sameTrack(existing.track, request.track) && this.watch.stateOf(existing) !== "failed") return { ok: true };
    if (existing) await this.closeAdapter(request.userId);
    const row: AdapterRow = {
      userId: request.userId,
      handle: request.handle,
      track: request.track,
      adapterKey: crypto.randomUUID(),
      adapterId: null,
      openedAt: Date.now(),
    };
    this.store.saveAdapter(row);
    const opened = await requestAdapter(this.env, origin, { spaceId: request.spaceId, userId: row.userId, handle: row.handle, track: row.track, adapterKey: row.adapterKey });
    if (!opened.ok) {
      this.store.deleteAdapter(row.userId, row.adapterKey);
      return opened;
    }
    const { adapterId } = opened;
    // Closed (demoted, left) while the SFU was being asked: the new adapter must not outlive that.
    if (this.store.adapter(row.userId)?.adapterKey !== row.adapterKey) {
      await releaseAdapter(this.env, row.userId, adapterId);
      return { ok: false, code: "adapter_closed" };
    }
    this.store.saveAdapter({ ...row, adapterId });
    log("media_adapter_opened", { spaceId: request.spaceId, userId: row.userId, adapterId, trackName: row.track.trackName });
    return { ok: true };
  }

  /** Closes one speaker's adapter: refuses its redials from now on, flushes their last words. Idempotent. */
  async closeAdapter(userId: string): Promise<void> {
    const row = this.store.adapter(userId);
    if (row) this.store.deleteAdapter(userId, row.adapterKey);
    this.store.deleteHealth(userId);
    this.endTrack(userId);
    for (const ws of this.ctx.getWebSockets(userId)) tryClose(ws, 1000, "adapter closed");
    if (row?.adapterId) await releaseAdapter(this.env, userId, row.adapterId);
    await this.syncAlarm();
  }

  /** The Space ended: every adapter closes; a recorded Space's replay is produced from its parts. */
  async closeAll(reactions: ReactionSecond[] = []): Promise<void> {
    // A track lagging after a stall still has audio on its way: the recording waits for it (bounded) before closing.
    if (this.recording.running) await this.recording.settle(this.spaceNow());
    for (const row of this.store.adapters()) await this.closeAdapter(row.userId);
    await this.flushCaptions();
    await this.recording.finish(this.spaceNow(), reactions);
  }

  /** The host's recording switch, told by the room before it opens or closes adapters for it. */
  async setRecording(request: { spaceId: string; startedAt: number; on: boolean }): Promise<MediaResult> {
    this.store.setMeta("spaceId", request.spaceId);
    this.store.setMeta("startedAt", String(request.startedAt));
    await this.recording.set(request.spaceId, request.on, this.spaceNow());
    await this.syncAlarm();
    return { ok: true };
  }

  /** ms since the Space started, the timeline of captions and of the recording. */
  private spaceNow(): number {
    return Date.now() - Number(this.store.meta("startedAt") ?? Date.now());
  }

  /** The adapters open now (who, which track, whether the SFU has connected, the watchdog's state), for the room and tests. */
  adapters(): { userId: string; track: TrackRef; adapterId: string | null; connected: boolean; state: AdapterState }[] {
    return this.store.adapters().map((row) => ({
      userId: row.userId,
      track: row.track,
      adapterId: row.adapterId,
      connected: this.ctx.getWebSockets(row.userId).length > 0,
      state: this.watch.stateOf(row),
    }));
  }

  // ---- the SFU's adapter sockets ----

  override async fetch(request: Request): Promise<Response> {
    const claims = parseClaims(request.headers.get(ADAPTER_CLAIMS_HEADER));
    if (!claims || request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return errorResponse(400, "bad_request", "This address takes the SFU's adapter WebSocket only.");
    }
    const row = this.store.adapter(claims.userId);
    if (!row || row.adapterKey !== claims.adapterKey || !sameTrack(row.track, claims.track)) {
      return errorResponse(403, "adapter_closed", "This adapter was closed; the speaker is no longer captioned here.");
    }
    // A redial replaces the dropped socket: only one socket feeds a track.
    for (const old of this.ctx.getWebSockets(claims.userId)) tryClose(old, 1000, "replaced by a newer connection");
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [claims.userId]);
    server.serializeAttachment(claims);
    // Connected: the watchdog watches this opening from now on, and a replacement that connects ends its retries.
    this.watch.connected(claims.userId, claims.adapterKey);
    log("media_adapter_connected", { spaceId: claims.spaceId, userId: claims.userId });
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message === "string") return;
    const claims = claimsOf(ws);
    if (!claims) return;
    if (message.byteLength > ADAPTER_MAX_FRAME_BYTES) {
      // Refused before decoding: a well-behaved SFU never sends this, so the socket goes (the SFU redials).
      log("media_frame_too_large", { spaceId: claims.spaceId, userId: claims.userId, bytes: message.byteLength, max: ADAPTER_MAX_FRAME_BYTES });
      return tryClose(ws, CLOSE_TOO_BIG, "frame too large");
    }
    const fresh = !this.tracks.has(claims.userId);
    // Packets already queued on a socket when its adapter was closed must not start a new track (and a new
    // recogniser stream stamped "now"): a track starts only while its adapter row still stands.
    if (fresh && this.store.adapter(claims.userId)?.adapterKey !== claims.adapterKey) return tryClose(ws, 1000, "adapter closed");
    const track = this.trackFor(claims);
    track.lastPacketAt = Date.now();
    const recorder = this.recording.live(this.spaceNow());
    track.pipeline.push(new Uint8Array(message));
    this.recording.placed();
    // Not awaited: uploads queue behind each other while packets keep flowing; failures are logged there.
    if (recorder) void recorder.flushDue(this.spaceNow());
    // A new track starts the KeepAlive/idle checks; later packets leave the alarm alone.
    if (fresh) await this.syncAlarm();
  }

  override async webSocketClose(ws: WebSocket): Promise<void> {
    tryClose(ws, 1000, "bye");
    this.watch.dropped(ws);
    await this.syncAlarm();
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    tryClose(ws, 1011, "error");
    this.watch.dropped(ws);
    await this.syncAlarm();
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    if (this.flushAt !== null && now >= this.flushAt) await this.flushCaptions();
    const spaceMs = this.spaceNow();
    await this.recording.live(spaceMs)?.flushDue(spaceMs);
    await this.watch.check(now);
    for (const [userId, track] of this.tracks) {
      if (now - track.lastPacketAt >= IDLE_CLOSE_MS) this.endTrack(userId);
      else {
        track.stt.keepAliveIfIdle();
        this.markClock(userId, track);
      }
    }
    await this.syncAlarm();
  }

  // ---- pipeline and captions ----

  private trackFor(claims: AdapterClaims): ActiveTrack {
    const existing = this.tracks.get(claims.userId);
    if (existing && existing.claims.adapterKey === claims.adapterKey) return existing;
    if (existing) this.endTrack(claims.userId);
    const startedAt = Number(this.store.meta("startedAt") ?? Date.now());
    // Captions off (a Space recorded without captions): no recogniser stream at all.
    const provider = this.store.meta("captions") === "0" ? null : sttProviderFor(this.env);
    const stt = new SttSink(
      provider ?? { name: "local", connect: async () => null },
      { userId: claims.userId, handle: claims.handle },
      (caption) => {
        if (caption.final) this.store.markHeard(claims.userId, caption.endMs);
        this.captions.add(caption);
        if (this.flushAt === null) void this.syncAlarm();
      },
    );
    const pipeline = new TrackPipeline([stt, this.recording.sink()], () => Math.max(Date.now() - startedAt, this.store.heardUntil(claims.userId)));
    const track: ActiveTrack = { claims, pipeline, stt, lastPacketAt: Date.now() };
    this.tracks.set(claims.userId, track);
    return track;
  }

  private endTrack(userId: string): void {
    const track = this.tracks.get(userId);
    if (!track) return;
    this.tracks.delete(userId);
    this.markClock(userId, track);
    track.pipeline.close();
    log("media_track_ended", { spaceId: track.claims.spaceId, userId, ...track.pipeline.stats, sttBytes: track.stt.bytesSent });
  }

  private markClock(userId: string, track: ActiveTrack): void {
    const clock = track.pipeline.clock;
    if (clock !== null) this.store.markHeard(userId, clock);
  }

  private async flushCaptions(): Promise<void> {
    this.flushAt = null;
    const spaceId = this.store.meta("spaceId");
    if (spaceId) await relayCaptions(this.env, spaceId, this.captions);
  }

  /** One alarm for every deadline: caption flush, KeepAlive checks and idle close while tracks are active. */
  private async syncAlarm(): Promise<void> {
    const now = Date.now();
    if (this.flushAt === null && !this.captions.isEmpty) this.flushAt = now + CAPTION_FLUSH_MS;
    let next = this.flushAt;
    if (this.tracks.size > 0) next = Math.min(next ?? Infinity, now + KEEPALIVE_CHECK_MS);
    // While recording, a chunk is stored when it is complete even if no packet arrives to trigger it.
    if (this.recording.running) next = Math.min(next ?? Infinity, now + CHUNK_MS / 2);
    // Only while adapters stand (someone on stage publishes): an empty stage lets the object hibernate alarm-free.
    const watch = this.watch.deadline(now);
    if (watch !== null) next = Math.min(next ?? Infinity, watch);
    if (next === null || next === Infinity) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }
}

/** The media object of a Space, as a typed Durable Object handle. */
export function mediaFor(env: Env, spaceId: string): DurableObjectStub<SpaceMedia> {
  const namespace = env.SPACE_MEDIA as DurableObjectNamespace<SpaceMedia>;
  return namespace.get(namespace.idFromName(spaceId));
}

const sameTrack = (a: TrackRef, b: TrackRef) => a.sessionId === b.sessionId && a.trackName === b.trackName;
