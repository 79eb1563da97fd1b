// The SpaceRoom Durable Object, one per Space: moves frames between hibernatable sockets and the pure room state,
// persists what the state marks, coalesces reactions and counts, and keeps deadlines in the one alarm.
import { DurableObject } from "cloudflare:workers";
import { errorResponse } from "../protocol/errors.ts";
import { parseClientMessage } from "../protocol/room-parse.ts";
import {
  CLOSE_ENDED, CLOSE_REMOVED, CLOSE_TOO_MANY_SOCKETS, type CaptionMessage, type ClientMessage, type EndReason, type ReactionEmoji,
  type ReactionSender, type Role, type RoomSpace, type ServerMessage, type TrackRef,
} from "../protocol/room.ts";
import { createRoom, isManager, listenerSample, stageTracks, type Identity, type RoomState } from "./room-model.ts";
import { recordBlock } from "../db/blocks.ts";
import { db, type Db } from "../db/client.ts";
import { recordEnd, recordListenerCount, recordSpeakPolicy } from "../db/space-lifecycle.ts";
import { nextDeadline, transition, type RoomEvent } from "./room-state.ts";
import { RoomFanout } from "./room-fanout.ts";
import { RoomStorage } from "./room-storage.ts";
import { tellWatchers } from "./watchers.ts";
import { callsConfigured, callsFor } from "../audio/calls-for-env.ts";
import { forceCloseTracks, type OwnedTrack } from "../audio/track-closer.ts";
import { captionsAvailable } from "../media/availability.ts";
import { mediaFor, type SpaceMedia } from "../media/space-media.ts";
import { attach, attachmentOf, IDENTITY_HEADER, parseIdentity, userTag } from "./room-sockets.ts";
import { shardRoute, shardsThatMayHold, type ShardReport } from "./room-shards.ts";
import { ShardRelay } from "./shard-relay.ts";
import { parsePlacement, PLACEMENT_HEADER, ROUTE_HEADER, type Admission } from "./shard-wire.ts";
import { tryClose, trySend } from "../sockets.ts";
import { parseTicket, refuseSocket, subprotocolHeaders, TICKET_HEADER, UsedJoinTokens } from "./room-entry.ts";
import { roomMaxSocketsPerPerson } from "../settings.ts";

const D1_SYNC_MS = 5000;

export type RoomResult = { ok: true } | { ok: false; code: string };

export class SpaceRoom extends DurableObject<Env> {
  private readonly store: RoomStorage;
  private readonly usedTokens: UsedJoinTokens;
  private readonly db: Db;
  private room: RoomState | null;
  private readonly shards: ShardRelay;
  private readonly fanout = new RoomFanout(
    () => this.ctx.getWebSockets(),
    () => (this.room?.phase === "live" ? this.room.listenerCount : null),
    () => (this.room ? listenerSample(this.room) : []),
    (text) => this.shards.broadcast(this.room?.shards.keys() ?? [], text),
  );
  private d1Dirty = false;
  private lastD1Sync = 0;
  private alarmAt: number | null = null;
  /** Adapter opens and closes run one after another, in the order the room decided them. */
  private mediaQueue: Promise<void> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new RoomStorage(ctx.storage.sql);
    this.usedTokens = new UsedJoinTokens(ctx.storage.sql);
    this.db = db(env);
    this.shards = new ShardRelay(env, () => this.room?.space.id ?? null);
    this.room = this.store.load();
    if (this.room) this.room.captionsAvailable = captionsAvailable(env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'));
    void ctx.blockConcurrencyWhile(async () => {
      this.alarmAt = await ctx.storage.getAlarm();
      await this.restoreSockets();
      // After a wake the count may have drifted from D1 while no one was watching: reconcile soon.
      if (this.room?.phase === "live") this.d1Dirty = true;
      await this.syncAlarm();
    });
  }

  /** Sockets that outlived the object (hibernation wake or restart) rejoin the room; an ended room closes them. */
  private async restoreSockets(): Promise<void> {
    if (!this.room) return;
    const sockets: { identity: Identity; connectionId: string }[] = [];
    for (const ws of this.ctx.getWebSockets()) {
      const who = attachmentOf(ws);
      if (!who || ws.readyState !== WebSocket.OPEN) continue;
      if (this.room.phase === "ended") tryClose(ws, CLOSE_ENDED, "ended");
      else {
        const { userId, handle, displayName, hostFollows, avatarUrl } = who;
        sockets.push({ identity: { userId, handle, displayName, hostFollows, avatarUrl: avatarUrl ?? null }, connectionId: who.cid });
      }
    }
    await this.run({ kind: "restore", sockets }, null);
  }

  // ---- RPC used by the Worker's routes and by the audio side ----

  /** Opens the room (idempotent while live); the host is on stage and has 5 minutes to connect. */
  async start(space: RoomSpace, host: Identity): Promise<RoomResult> {
    if (this.room) return this.room.phase === "live" ? { ok: true } : { ok: false, code: "space_ended" };
    this.room = createRoom(space, host);
    this.room.captionsAvailable = captionsAvailable(this.env);
    this.store.saveMeta(this.room);
    this.store.savePeople(this.room, [host.userId]);
    await this.syncAlarm();
    return { ok: true };
  }

  /**
   * Forgets a room that opened for a start D1 then refused (the host's live limit, counted in one guarded statement):
   * D1 never said live, so nobody could have joined, and a later start opens it afresh.
   */
  async abandon(): Promise<void> {
    if (this.room?.phase !== "live" || this.ctx.getWebSockets().length > 0) return;
    this.room = null;
    this.store.clear();
    await this.syncAlarm();
  }

  async end(reason: EndReason = "host_ended"): Promise<RoomResult> {
    if (!this.room) return { ok: false, code: "space_not_live" };
    await this.run({ kind: "end", reason }, null);
    return { ok: true };
  }

  /** Records (or clears) the audio track a speaker published; refused for anyone not on the stage. */
  async setTrack(userId: string, track: TrackRef | null): Promise<RoomResult> {
    if (!this.room) return { ok: false, code: "space_not_live" };
    const replies = await this.run({ kind: "set_track", userId, track }, null);
    const error = replies.find((m) => m.type === "error");
    return error?.type === "error" ? { ok: false, code: error.code } : { ok: true };
  }

  /** The host's recording switch; refused (`not_host`, `space_ended`) like a frame would be. */
  async setRecording(userId: string, on: boolean): Promise<RoomResult> {
    if (!this.room) return { ok: false, code: "space_not_live" };
    const replies = await this.run({ kind: "set_recording", userId, on }, null);
    const error = replies.find((m) => m.type === "error");
    return error?.type === "error" ? { ok: false, code: error.code } : { ok: true };
  }

  /** Whether the live room is being recorded now (clips of a live Space need it). */
  isRecording(): boolean {
    return this.room?.phase === "live" && this.room.recording;
  }

  /** Caption frames from the media object (already coalesced), to everyone while captions are on. */
  relayCaptions(frames: CaptionMessage[]): void {
    if (this.room?.phase !== "live" || this.room.captions !== "on" || !this.room.captionsAvailable) return;
    for (const frame of frames) this.broadcastText(this.room, JSON.stringify(frame));
  }

  // ---- RPC used by the room's shards (shard-relay.ts is the other direction) ----

  /** A shard's count, sample and who of the room's people it still holds; renews its lease. */
  async shardReport(shard: string, report: ShardReport): Promise<{ live: boolean }> {
    if (this.room?.phase !== "live") return { live: false };
    await this.run({ kind: "shard_report", shard, report }, null);
    return { live: true };
  }

  /** A frame from a listener on a shard; the replies go back to their socket. */
  async shardFrame(shard: string, identity: Identity, message: ClientMessage): Promise<ServerMessage[]> {
    if (!this.room) return [];
    return this.run({ kind: "shard_frame", shard, identity, message }, null);
  }

  /** The last socket of someone the room remembers closed on a shard. */
  async shardGone(shard: string, userId: string): Promise<void> {
    if (this.room) await this.run({ kind: "shard_gone", shard, userId }, null);
  }

  /** Reactions a shard coalesced from its listeners. */
  async shardReactions(shard: string, counts: Partial<Record<ReactionEmoji, number>>, recent: ReactionSender[]): Promise<void> {
    if (this.room) await this.run({ kind: "shard_reactions", shard, counts, recent }, null);
  }

  /**
   * The person's current role, or null if they are not in the live room. A plain listener on a shard is unknown to
   * the room: the shards that may hold them are asked (`region`, the caller's shard region, is tried first).
   */
  async getRoleOf(userId: string, region: string | null = null): Promise<Role | null> {
    const room = this.room;
    if (room?.phase !== "live") return null;
    const role = room.people.get(userId)?.role;
    if (role || room.shards.size === 0 || room.blocked.has(userId)) return role ?? null;
    for (const shard of shardsThatMayHold(room, userId, region)) {
      if (await this.shards.holds(shard, userId)) return "listener";
    }
    return null;
  }

  /** Published tracks of the people on the stage now: the only tracks the audio routes let anyone pull. */
  stageTracks(): OwnedTrack[] {
    return this.room ? stageTracks(this.room) : [];
  }

  status(): { phase: RoomState["phase"]; listenerCount: number; peakListeners: number } | null {
    return this.room && { phase: this.room.phase, listenerCount: this.room.listenerCount, peakListeners: this.room.peakListeners };
  }

  // ---- sockets ----

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return errorResponse(426, "upgrade_required", "This address only accepts WebSocket connections.");
    }
    const identity = parseIdentity(request.headers.get(IDENTITY_HEADER));
    const ticket = parseTicket(request.headers.get(TICKET_HEADER));
    if (!identity || !ticket) return errorResponse(401, "invalid_token", "The room could not tell who you are.");
    const room = this.room;
    if (!room) return errorResponse(409, "space_not_live", "This Space has not started yet.");
    if (room.phase === "ended") return errorResponse(410, "space_ended", "This Space has ended.");
    if (room.blocked.has(identity.userId)) return errorResponse(403, "blocked", "The host has blocked you from their Spaces.");
    if (!this.usedTokens.claim(ticket, Date.now())) {
      return errorResponse(401, "token_used", "This join token was already used; join again for a fresh one.");
    }
    const headers = subprotocolHeaders(request);
    const max = roomMaxSocketsPerPerson(this.env);
    if ((room.people.get(identity.userId)?.connections.size ?? 0) >= max) {
      console.log(JSON.stringify({ event: "room_socket_refused", spaceId: room.space.id, userId: identity.userId, max }));
      const message = `You already have this Space open in ${max} places. Close one of them to listen here.`;
      return refuseSocket({ type: "error", code: "too_many_connections", message }, CLOSE_TOO_MANY_SOCKETS, headers);
    }
    const placement = parsePlacement(request.headers.get(PLACEMENT_HEADER));
    const shard = placement ? shardRoute(room, identity.userId, placement) : null;
    if (placement && shard !== null) {
      // The socket goes to a shard: the room counts the listener and hands the Worker the snapshot to send first.
      const replies = await this.run({ kind: "shard_admit", identity, shard, leaseMs: placement.leaseMs }, null);
      const snapshot = replies.find((m) => m.type === "snapshot");
      if (snapshot?.type !== "snapshot") return errorResponse(409, "space_not_live", "This Space is not live.");
      return Response.json({ shard, snapshot } satisfies Admission, { headers: { [ROUTE_HEADER]: "shard" } });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [userTag(identity.userId)]);
    const cid = crypto.randomUUID();
    attach(server, { ...identity, cid });
    await this.run({ kind: "connect", identity, connectionId: cid }, server);
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const who = attachmentOf(ws);
    if (!who || !this.room) return;
    const parsed = parseClientMessage(message);
    if (!parsed.ok) return trySend(ws, JSON.stringify(parsed.error));
    await this.run({ kind: "frame", userId: who.userId, message: parsed.message }, ws);
  }

  override async webSocketClose(ws: WebSocket): Promise<void> {
    await this.socketGone(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.socketGone(ws);
  }

  private async socketGone(ws: WebSocket): Promise<void> {
    const who = attachmentOf(ws);
    if (who && this.room) await this.run({ kind: "disconnect", userId: who.userId, connectionId: who.cid }, null);
    tryClose(ws, 1000, "bye");
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    if (!this.room) return;
    await this.run({ kind: "tick" }, null);
    if (this.room.phase === "live" && this.d1Dirty && Date.now() >= this.lastD1Sync + D1_SYNC_MS) await this.syncCount();
    await this.syncAlarm();
  }

  // ---- applying effects ----

  /** Runs one event through the state machine and carries out its effects; returns the replies it produced. */
  private async run(event: RoomEvent, origin: WebSocket | null): Promise<ServerMessage[]> {
    const room = this.room;
    if (!room) return [];
    const { effects } = transition(room, event, Date.now());
    const replies: ServerMessage[] = [];
    const writes: Promise<void>[] = [];
    const closeTracks: OwnedTrack[] = [];
    let alarmChanged = false;
    for (const effect of effects) {
      switch (effect.kind) {
        case "reply":
          replies.push(effect.message);
          if (origin) trySend(origin, JSON.stringify(effect.message));
          break;
        case "send":
          this.sendTo(room, effect.userId, JSON.stringify(effect.message));
          break;
        case "broadcast":
          this.broadcastText(room, JSON.stringify(effect.message));
          break;
        case "managers": {
          const text = JSON.stringify(effect.message);
          for (const id of room.stage) {
            const person = room.people.get(id);
            if (person && isManager(person)) this.sendTo(room, id, text);
          }
          break;
        }
        case "remove":
          this.closeUser(effect.userId, { type: "removed", blocked: effect.blocked }, CLOSE_REMOVED, "removed");
          if (effect.via) {
            const text = JSON.stringify({ type: "removed", blocked: effect.blocked } satisfies ServerMessage);
            this.shards.remove(effect.via, effect.userId, text, CLOSE_REMOVED);
          }
          if (effect.blocked) {
            this.store.saveBlocked(effect.userId);
            writes.push(recordBlock(this.db, room.space.hostId, effect.userId));
          }
          break;
        case "react":
          this.fanout.addReaction(effect.sender);
          if (room.recording) this.store.addReaction(Math.floor((Date.now() - room.space.startedAt) / 1000), effect.sender.emoji);
          break;
        case "react_batch": {
          this.fanout.addBatch(effect.counts, effect.recent);
          const second = Math.floor((Date.now() - room.space.startedAt) / 1000);
          if (room.recording) for (const [emoji, n] of Object.entries(effect.counts)) this.store.addReaction(second, emoji, n);
          break;
        }
        case "count":
          this.fanout.countChanged();
          alarmChanged ||= !this.d1Dirty;
          this.d1Dirty = true;
          break;
        case "listeners":
          this.fanout.countChanged();
          break;
        case "persist":
          if (effect.meta) this.store.saveMeta(room);
          if (effect.shards) this.store.saveShards(room);
          this.store.savePeople(room, effect.userIds);
          break;
        case "schedule":
          alarmChanged = true;
          break;
        case "speak_policy":
          writes.push(recordSpeakPolicy(this.db, room.space.id, effect.policy));
          break;
        case "ended":
          writes.push(this.finish(room, effect.reason));
          alarmChanged = true;
          break;
        case "close_track":
          closeTracks.push({ userId: effect.userId, track: effect.track });
          break;
        case "open_adapter": {
          const captions = room.captionsAvailable && room.captions === "on";
          const request = { spaceId: room.space.id, startedAt: room.space.startedAt, userId: effect.userId, handle: effect.handle, track: effect.track, captions };
          this.toMedia(room, "open_adapter", (media) => media.openAdapter(request));
          break;
        }
        case "close_adapter":
          this.toMedia(room, "close_adapter", (media) => media.closeAdapter(effect.userId));
          break;
        case "recording": {
          const request = { spaceId: room.space.id, startedAt: room.space.startedAt, on: effect.on };
          this.toMedia(room, "recording", (media) => media.setRecording(request));
          break;
        }
        default: {
          const unreachable: never = effect;
          return unreachable;
        }
      }
    }
    // Whoever lost the stage is silenced at the SFU, not only in the UI.
    if (closeTracks.length > 0 && callsConfigured(this.env)) {
      writes.push(forceCloseTracks(callsFor(this.env), room.space.id, closeTracks));
    }
    if (alarmChanged) await this.syncAlarm();
    for (const result of await Promise.allSettled(writes)) {
      if (result.status === "rejected") {
        console.log(JSON.stringify({ event: "room_d1_write_failed", spaceId: room.space.id, error: String(result.reason) }));
      }
    }
    return replies;
  }

  /** Queues one call to the Space's media object; the room does not wait for the SFU (a publish stays fast). */
  private toMedia(room: RoomState, step: string, call: (media: DurableObjectStub<SpaceMedia>) => Promise<unknown>): void {
    const media = mediaFor(this.env, room.space.id);
    this.mediaQueue = this.mediaQueue
      .then(async () => {
        const result = (await call(media)) as { ok?: boolean; code?: string } | undefined;
        if (result && result.ok === false) console.log(JSON.stringify({ event: "room_media_refused", spaceId: room.space.id, step, code: result.code }));
      })
      .catch((error: unknown) => console.log(JSON.stringify({ event: "room_media_failed", spaceId: room.space.id, step, error: String(error) })));
  }

  /** To one person: their own sockets here, or the shard that holds them. */
  private sendTo(room: RoomState, userId: string, text: string): void {
    for (const ws of this.ctx.getWebSockets(userTag(userId))) trySend(ws, text);
    const via = room.people.get(userId)?.via;
    if (via) this.shards.deliver(via, userId, [text]);
  }

  /** To everyone: the room's own sockets, and one call per shard. */
  private broadcastText(room: RoomState, text: string): void {
    for (const ws of this.ctx.getWebSockets()) trySend(ws, text);
    this.shards.broadcast(room.shards.keys(), text);
  }

  private closeUser(userId: string, message: ServerMessage, code: number, reason: string): void {
    const text = JSON.stringify(message);
    for (const ws of this.ctx.getWebSockets(userTag(userId))) {
      trySend(ws, text);
      tryClose(ws, code, reason);
    }
  }

  private async finish(room: RoomState, reason: EndReason): Promise<void> {
    this.fanout.stop();
    this.d1Dirty = false;
    const text = JSON.stringify({ type: "ended", reason } satisfies ServerMessage);
    for (const ws of this.ctx.getWebSockets()) {
      trySend(ws, text);
      tryClose(ws, CLOSE_ENDED, "ended");
    }
    await this.shards.end(room.shards.keys(), text);
    console.log(JSON.stringify({ event: "space_ended", spaceId: room.space.id, reason, peakListeners: room.peakListeners }));
    this.toMedia(room, "close_all", (media) => media.closeAll(this.store.reactionSeconds()));
    await recordEnd(this.db, room.space.id, room.endedAt ?? Date.now(), room.peakListeners);
    await tellWatchers(this.env, room.space.id, "ended");
  }

  private async syncCount(): Promise<void> {
    const room = this.room;
    if (!room) return;
    this.d1Dirty = false;
    this.lastD1Sync = Date.now();
    await recordListenerCount(this.db, room.space.id, room.listenerCount, room.peakListeners);
  }

  /** One alarm serves every deadline: reconnect grace, host absence and the coalesced D1 count write. */
  private async syncAlarm(): Promise<void> {
    const room = this.room;
    let next = room ? nextDeadline(room) : null;
    if (room?.phase === "live" && this.d1Dirty) {
      const syncAt = Math.max(Date.now(), this.lastD1Sync + D1_SYNC_MS);
      next = next === null ? syncAt : Math.min(next, syncAt);
    }
    if (next === this.alarmAt) return;
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
    this.alarmAt = next;
  }
}

/** The room of a Space, as a typed Durable Object handle. */
export function roomFor(env: Env, spaceId: string): DurableObjectStub<SpaceRoom> {
  const namespace = env.SPACE_ROOM as DurableObjectNamespace<SpaceRoom>;
  return namespace.get(namespace.idFromName(spaceId));
}
