// The SpaceMedia Durable Object, one per Space beside the room: opens and closes the SFU's WebSocket adapters for
// stage tracks, receives their PCM, and runs each track through the pipeline to its sinks (speech-to-text now).
//
// States, per stage track (style of cloudflare/realtime-examples ai-tts-stt STTAdapter.md):
//   none ──openAdapter──▶ opening (row saved, SFU asked; the SFU dials our endpoint before it answers)
//   opening ──SFU answers adapterId──▶ open        opening ──SFU refuses──▶ none (row deleted, logged)
//   open ──adapter socket connects (token + adapterKey match the row)──▶ streaming
//   streaming ──socket drops──▶ open (the SFU redials the same URL within 5 s; recogniser kept until idle close)
//   any ──closeAdapter / closeAll (room: demote, remove, block, leave, end, captions off)──▶ none
//        (row deleted first so a late redial is refused; sockets closed; recogniser finalized; SFU told, idempotent)
// Per recogniser (inside the track's SttSink): none → connecting → open → closed; reopened on the next audio,
// at most every 5 s. Deadlines, all in the one alarm: caption flush (300 ms after the first pending caption),
// KeepAlive (a recogniser idle 4 s), idle close (no packet for 30 s: Finalize + CloseStream, adapter kept).
// Hibernation: adapter sockets are hibernatable and carry their claims as the attachment; pipelines and
// recognisers live in memory and are rebuilt on the next packet after a wake.
// Recording (meta "recording", set by the room before it opens adapters for it): every track also feeds a
// RecorderSink into the one Recorder (recording/recorder.ts): off ──setRecording(on)──▶ recording (mix in memory,
// a part to R2 every 4 s; the alarm keeps storing while nobody sends) ──setRecording(off)──▶ off (last part stored,
// encoder ended) ; at closeAll the parts become the replay (D1 `recordings`). After a wake the recorder resumes at the
// current chunk; the lost chunk becomes silence in the replay.
import { DurableObject } from "cloudflare:workers";
import { callsFor } from "../audio/calls-for-env.ts";
import { db } from "../db/client.ts";
import { insertSegments } from "../db/transcripts.ts";
import type { CaptionMessage, TrackRef } from "../protocol/room.ts";
import { signAdapterToken, type AdapterClaims } from "./adapter-token.ts";
import { adapterEndpointOrigin, captionsAvailable } from "./availability.ts";
import { CAPTION_FLUSH_MS, CaptionBatch } from "./caption-batch.ts";
import { MediaStorage, type AdapterRow } from "./media-storage.ts";
import { sttProviderFor } from "./stt/provider.ts";
import { SttSink } from "./stt-sink.ts";
import { TrackPipeline } from "./track-pipeline.ts";
import { errorResponse } from "../protocol/errors.ts";
import { tryClose } from "../sockets.ts";
import { claimsOf, log, parseClaims } from "./adapter-sockets.ts";
import { Recorder } from "./recording/recorder.ts";
import { RecorderSink } from "./recording/recorder-sink.ts";
import { RECORDING_CONTENT_TYPE } from "./recording/mp3-stream.ts";
import { CHUNK_MS } from "./recording/mix.ts";
import { saveRecording } from "../db/recordings.ts";

/** Header on the Worker → object upgrade request: the adapter token's claims, verified by the Worker. */
export const ADAPTER_CLAIMS_HEADER = "x-spaces-adapter";
const IDLE_CLOSE_MS = 30_000;
const KEEPALIVE_CHECK_MS = 4_000;

/** `captions`: whether the track should also go to speech-to-text (a recorded Space may have captions off). */
export type OpenAdapterRequest = { spaceId: string; startedAt: number; userId: string; handle: string; track: TrackRef; captions?: boolean };
export type MediaResult = { ok: true } | { ok: false; code: string };
/** Reaction counts of one second of the Space (second = whole seconds since its start), kept by the room. */
export type ReactionSecond = { second: number; counts: Record<string, number> };

type ActiveTrack = { claims: AdapterClaims; pipeline: TrackPipeline; stt: SttSink; lastPacketAt: number };

export class SpaceMedia extends DurableObject<Env> {
  private readonly store: MediaStorage;
  private readonly tracks = new Map<string, ActiveTrack>();
  private readonly captions = new CaptionBatch();
  private flushAt: number | null = null;
  private recorder: Recorder | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new MediaStorage(ctx.storage.sql);
  }

  // ---- RPC from the room ----

  /** Opens (or keeps) the adapter of one speaker's track; replaces an adapter of an older track of theirs. */
  async openAdapter(request: OpenAdapterRequest): Promise<MediaResult> {
    const origin = adapterEndpointOrigin(this.env);
    // Adapters serve captions (when this deployment can caption) and the recorder (whenever recording is on).
    if (!origin || (!captionsAvailable(this.env) && !this.recordingOn())) return { ok: false, code: "captions_unavailable" };
    this.store.setMeta("spaceId", request.spaceId);
    this.store.setMeta("startedAt", String(request.startedAt));
    this.store.setMeta("captions", request.captions === false ? "0" : "1");
    const existing = this.store.adapter(request.userId);
    if (existing && sameTrack(existing.track, request.track)) return { ok: true };
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
    const token = await signAdapterToken(this.env.SESSION_SECRET, { spaceId: request.spaceId, userId: row.userId, handle: row.handle, track: row.track, adapterKey: row.adapterKey });
    const endpoint = `${origin}/api/spaces/${encodeURIComponent(request.spaceId)}/media/adapter?token=${encodeURIComponent(token)}`;
    const calls = callsFor(this.env);
    const created = await calls.newAdapters({
      tracks: [{ location: "remote", sessionId: row.track.sessionId, trackName: row.track.trackName, endpoint, outputCodec: "pcm" }],
    });
    const adapterId = created.ok ? created.value.adapters[0]?.adapterId : undefined;
    if (!adapterId) {
      this.store.deleteAdapter(row.userId, row.adapterKey);
      const code = created.ok ? "adapter_failed" : created.errorCode;
      const items = created.ok ? created.value.itemErrors : created.itemErrors;
      log("media_adapter_failed", { spaceId: request.spaceId, userId: row.userId, code, items: items.map((e) => e.errorCode) });
      return { ok: false, code };
    }
    // Closed (demoted, left) while the SFU was being asked: the new adapter must not outlive that.
    if (this.store.adapter(row.userId)?.adapterKey !== row.adapterKey) {
      await calls.closeAdapters({ tracks: [{ adapterId }] });
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
    this.endTrack(userId);
    for (const ws of this.ctx.getWebSockets(userId)) tryClose(ws, 1000, "adapter closed");
    if (row?.adapterId) {
      const closed = await callsFor(this.env).closeAdapters({ tracks: [{ adapterId: row.adapterId }] });
      if (!closed.ok || closed.value.itemErrors.length > 0) {
        log("media_adapter_close_failed", { userId, adapterId: row.adapterId, code: closed.ok ? closed.value.itemErrors[0]?.errorCode : closed.errorCode });
      } else {
        log("media_adapter_closed", { userId, adapterId: row.adapterId });
      }
    }
    await this.syncAlarm();
  }

  /** The Space ended: every adapter closes; a recorded Space's replay is produced from its parts. */
  async closeAll(reactions: ReactionSecond[] = []): Promise<void> {
    for (const row of this.store.adapters()) await this.closeAdapter(row.userId);
    await this.flushCaptions();
    await this.finishRecording(reactions);
  }

  /** The host's recording switch, told by the room before it opens or closes adapters for it. */
  async setRecording(request: { spaceId: string; startedAt: number; on: boolean }): Promise<MediaResult> {
    this.store.setMeta("spaceId", request.spaceId);
    this.store.setMeta("startedAt", String(request.startedAt));
    this.store.setMeta("recording", request.on ? "1" : "0");
    if (request.on) this.recorderFor(request.spaceId).start(this.spaceNow());
    else await this.recorder?.stop(this.spaceNow());
    await this.syncAlarm();
    log("media_recording", { spaceId: request.spaceId, on: request.on });
    return { ok: true };
  }

  private recordingOn(): boolean {
    return this.store.meta("recording") === "1";
  }

  /** ms since the Space started, the timeline of captions and of the recording. */
  private spaceNow(): number {
    return Date.now() - Number(this.store.meta("startedAt") ?? Date.now());
  }

  private recorderFor(spaceId: string): Recorder {
    this.recorder ??= new Recorder(this.env.MEDIA, this.ctx.storage.sql, spaceId);
    return this.recorder;
  }

  /** The live recorder, started again after a wake while recording is on; null when not recording. */
  private liveRecorder(): Recorder | null {
    const spaceId = this.store.meta("spaceId");
    if (!spaceId || !this.recordingOn()) return null;
    const recorder = this.recorderFor(spaceId);
    recorder.start(this.spaceNow());
    return recorder;
  }

  /** Joins the parts into the replay and records it in D1, with the per-second reactions on the replay's timeline. */
  private async finishRecording(reactions: ReactionSecond[]): Promise<void> {
    const spaceId = this.store.meta("spaceId");
    if (!spaceId) return;
    const started = Date.now();
    const finished = await this.recorderFor(spaceId).finish(this.spaceNow());
    this.store.setMeta("recording", "0");
    if (!finished) return;
    const onReplay = reactions
      .map((r) => ({ atMs: r.second * 1000 - finished.offsetMs, counts: r.counts }))
      .filter((r) => r.atMs >= 0 && r.atMs < finished.durationMs);
    await saveRecording(db(this.env), {
      spaceId,
      audioKey: finished.key,
      contentType: RECORDING_CONTENT_TYPE,
      bytes: finished.bytes,
      offsetMs: finished.offsetMs,
      durationMs: finished.durationMs,
      reactions: JSON.stringify(onReplay),
    });
    log("media_recording_finished", { spaceId, bytes: finished.bytes, durationMs: finished.durationMs, finishMs: Date.now() - started });
  }

  /** The adapters open now (who, which track, whether the SFU has connected), for the room and tests. */
  adapters(): { userId: string; track: TrackRef; adapterId: string | null; connected: boolean }[] {
    return this.store.adapters().map((row) => ({
      userId: row.userId,
      track: row.track,
      adapterId: row.adapterId,
      connected: this.ctx.getWebSockets(row.userId).length > 0,
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
    log("media_adapter_connected", { spaceId: claims.spaceId, userId: claims.userId });
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message === "string") return;
    const claims = claimsOf(ws);
    if (!claims) return;
    const fresh = !this.tracks.has(claims.userId);
    // Packets already queued on a socket when its adapter was closed must not start a new track (and a new
    // recogniser stream stamped "now"): a track starts only while its adapter row still stands.
    if (fresh && this.store.adapter(claims.userId)?.adapterKey !== claims.adapterKey) return tryClose(ws, 1000, "adapter closed");
    const track = this.trackFor(claims);
    track.lastPacketAt = Date.now();
    const recorder = this.liveRecorder();
    track.pipeline.push(new Uint8Array(message));
    // Not awaited: uploads queue behind each other while packets keep flowing; failures are logged there.
    if (recorder) void recorder.flushDue(this.spaceNow());
    // A new track starts the KeepAlive/idle checks; later packets leave the alarm alone.
    if (fresh) await this.syncAlarm();
  }

  override async webSocketClose(ws: WebSocket): Promise<void> {
    tryClose(ws, 1000, "bye");
    await this.syncAlarm();
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    tryClose(ws, 1011, "error");
    await this.syncAlarm();
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    if (this.flushAt !== null && now >= this.flushAt) await this.flushCaptions();
    await this.liveRecorder()?.flushDue(this.spaceNow());
    for (const [userId, track] of this.tracks) {
      if (now - track.lastPacketAt >= IDLE_CLOSE_MS) this.endTrack(userId);
      else track.stt.keepAliveIfIdle();
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
        this.captions.add(caption);
        if (this.flushAt === null) void this.syncAlarm();
      },
    );
    const recording = new RecorderSink(() => this.recorder?.liveMix() ?? null);
    const pipeline = new TrackPipeline([stt, recording], () => Date.now() - startedAt);
    const track: ActiveTrack = { claims, pipeline, stt, lastPacketAt: Date.now() };
    this.tracks.set(claims.userId, track);
    return track;
  }

  private endTrack(userId: string): void {
    const track = this.tracks.get(userId);
    if (!track) return;
    this.tracks.delete(userId);
    track.pipeline.close();
    log("media_track_ended", { spaceId: track.claims.spaceId, userId, ...track.pipeline.stats, sttBytes: track.stt.bytesSent });
  }

  private async flushCaptions(): Promise<void> {
    this.flushAt = null;
    if (this.captions.isEmpty) return;
    const spaceId = this.store.meta("spaceId");
    if (!spaceId) return;
    const { frames, finals } = this.captions.take();
    const results = await Promise.allSettled([
      roomRelay(this.env, spaceId).relayCaptions(frames),
      insertSegments(db(this.env), finals.map((c) => ({ spaceId, speakerId: c.speakerId, handle: c.handle, text: c.text, startMs: c.startMs, endMs: c.endMs }))),
    ]);
    for (const result of results) {
      if (result.status === "rejected") log("media_caption_flush_failed", { spaceId, error: String(result.reason) });
    }
  }

  /** One alarm for every deadline: caption flush, KeepAlive checks and idle close while tracks are active. */
  private async syncAlarm(): Promise<void> {
    const now = Date.now();
    if (this.flushAt === null && !this.captions.isEmpty) this.flushAt = now + CAPTION_FLUSH_MS;
    let next = this.flushAt;
    if (this.tracks.size > 0) next = Math.min(next ?? Infinity, now + KEEPALIVE_CHECK_MS);
    // While recording, a chunk is stored when it is complete even if no packet arrives to trigger it.
    if (this.recorder?.running) next = Math.min(next ?? Infinity, now + CHUNK_MS / 2);
    if (next === null || next === Infinity) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }
}

/** The media object of a Space, as a typed Durable Object handle. */
export function mediaFor(env: Env, spaceId: string): DurableObjectStub<SpaceMedia> {
  const namespace = env.SPACE_MEDIA as DurableObjectNamespace<SpaceMedia>;
  return namespace.get(namespace.idFromName(spaceId));
}

/** The one room method the media object calls, named here so media/ needs nothing from space/ (no module cycle). */
type CaptionRelay = { relayCaptions(frames: CaptionMessage[]): Promise<void> };

function roomRelay(env: Env, spaceId: string): CaptionRelay {
  return env.SPACE_ROOM.get(env.SPACE_ROOM.idFromName(spaceId)) as unknown as CaptionRelay;
}

const sameTrack = (a: TrackRef, b: TrackRef) => a.sessionId === b.sessionId && a.trackName === b.trackName;
