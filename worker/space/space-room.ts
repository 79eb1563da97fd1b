// The SpaceRoom Durable Object, one per Space: its RPC surface (routes, audio, shards), its sockets' entry points and
// the one alarm. Each event goes through the pure transition(); room-apply.ts carries out the effects.
import { DurableObject } from "cloudflare:workers";
import { parseClientMessage } from "../protocol/room-parse.ts";
import {
  CLOSE_ENDED, type CaptionMessage, type ClientMessage, type EndReason, type ReactionEmoji, type ReactionSender, type Role,
  type RoomSpace, type ServerMessage, type TrackRef,
} from "../protocol/room.ts";
import { createRoom, listenerSample, stageTracks, type Identity, type RoomState } from "./room-model.ts";
import { db } from "../db/client.ts";
import { transition, type RoomEvent } from "./room-state.ts";
import { applyEffects, type RoomParts } from "./room-apply.ts";
import { RoomClock } from "./room-clock.ts";
import { RoomDelivery } from "./room-delivery.ts";
import { RoomFanout } from "./room-fanout.ts";
import { RoomMediaQueue } from "./room-media-queue.ts";
import { RoomStorage } from "./room-storage.ts";
import { acceptSocket, type UpgradeParts } from "./room-upgrade.ts";
import type { OwnedTrack } from "../audio/track-closer.ts";
import { captionsAvailable } from "../media/availability.ts";
import { attachmentOf } from "./room-sockets.ts";
import { shardsThatMayHold, type ShardReport } from "./room-shards.ts";
import { relayHolding } from "./room-relays.ts";
import { ShardRelay } from "./shard-relay.ts";
import { tryClose, trySend } from "../sockets.ts";
import { UsedJoinTokens, type AudioEntry, type JoinTicketId } from "./room-entry.ts";

export type RoomResult = { ok: true } | { ok: false; code: string };

export class SpaceRoom extends DurableObject<Env> {
  private readonly store: RoomStorage;
  private room: RoomState | null;
  private readonly shards: ShardRelay;
  private readonly delivery: RoomDelivery;
  private readonly clock: RoomClock;
  private readonly fanout: RoomFanout;
  private readonly parts: RoomParts;
  private readonly upgrade: UpgradeParts;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new RoomStorage(ctx.storage.sql);
    const database = db(env);
    this.shards = new ShardRelay(env, () => this.room?.space.id ?? null);
    this.delivery = new RoomDelivery(ctx, this.shards);
    this.clock = new RoomClock(ctx.storage, database);
    this.fanout = new RoomFanout(
      () => this.delivery.sockets(),
      () => (this.room?.phase === "live" ? this.room.listenerCount : null),
      () => (this.room ? listenerSample(this.room) : []),
      (text) => this.shards.broadcast(this.room?.shards.keys() ?? [], text),
    );
    const media = new RoomMediaQueue(env);
    this.parts = { env, db: database, store: this.store, fanout: this.fanout, delivery: this.delivery, shards: this.shards, clock: this.clock, media };
    this.upgrade = { env, delivery: this.delivery, usedTokens: new UsedJoinTokens(ctx.storage.sql), run: (event, origin) => this.run(event, origin) };
    this.room = this.store.load();
    if (this.room) this.room.captionsAvailable = captionsAvailable(env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'));
    void ctx.blockConcurrencyWhile(async () => {
      await this.clock.load();
      await this.restoreSockets();
      // After a wake the count may have drifted from D1 while no one was watching: reconcile soon.
      if (this.room?.phase === "live") this.clock.countChanged();
      await this.clock.syncAlarm(this.room);
    });
  }

  /** Sockets that outlived the object (hibernation wake or restart) rejoin the room; an ended room closes them. */
  private async restoreSockets(): Promise<void> {
    if (!this.room) return;
    const sockets: { identity: Identity; connectionId: string }[] = [];
    for (const ws of this.ctx.getWebSockets()) {
      const who = attachmentOf(ws);
      if (!who || ws.readyState !== WebSocket.OPEN) continue;
      if (this.room.phase === "ended") {
        tryClose(ws, CLOSE_ENDED, "ended");
        this.delivery.forget(ws);
      }
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
    await this.clock.syncAlarm(this.room);
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
    await this.clock.syncAlarm(this.room);
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

  /** The media object gave up on a speaker's adapter (adapter-watch.ts): the room shows it on that speaker. */
  async adapterFailed(userId: string, track: TrackRef): Promise<void> {
    if (this.room?.phase === "live") await this.run({ kind: "adapter_failed", userId, track }, null);
  }

  /** Caption frames from the media object (already coalesced), to everyone while captions are on. */
  relayCaptions(frames: CaptionMessage[]): void {
    if (this.room?.phase !== "live" || this.room.captions !== "on" || !this.room.captionsAvailable) return;
    for (const frame of frames) this.delivery.broadcast(this.room, JSON.stringify(frame));
  }

  // ---- RPC used by the room's shards (shard-relay.ts is the other direction) ----

  /** A shard's count, sample and who of the room's people it still holds; renews its lease. A leaf the room moved
   *  under a relay is told where to report instead. */
  async shardReport(shard: string, report: ShardReport): Promise<{ live: boolean; parent?: string }> {
    if (this.room?.phase !== "live") return { live: false };
    const parent = relayHolding(this.room, shard);
    if (parent !== null) return { live: true, parent };
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

  /**
   * The role an audio session starts with. With a join ticket (the early session, while the person's socket opens)
   * the ticket is spent for audio first, atomically (room-entry.ts): a second session with it is `token_used`; a
   * person the room does not know yet then counts as a listener, unless the room is not live or blocked them.
   */
  async audioRole(userId: string, region: string | null, ticket: JoinTicketId | null): Promise<AudioEntry> {
    if (ticket && !this.upgrade.usedTokens.claim(ticket, Date.now(), "audio")) return { ok: false, code: "token_used" };
    const role = await this.getRoleOf(userId, region);
    if (role) return { ok: true, role };
    const room = this.room;
    const joining = ticket !== null && room?.phase === "live" && !room.blocked.has(userId);
    return joining ? { ok: true, role: "listener" } : { ok: false, code: "not_in_room" };
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
    return acceptSocket(this.upgrade, this.room, request);
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
    this.delivery.forget(ws);
    const who = attachmentOf(ws);
    if (who && this.room) await this.run({ kind: "disconnect", userId: who.userId, connectionId: who.cid }, null);
    tryClose(ws, 1000, "bye");
  }

  override async alarm(): Promise<void> {
    this.clock.alarmFired();
    if (!this.room) return;
    await this.run({ kind: "tick" }, null);
    await this.clock.syncCountIfDue(this.room);
    await this.clock.syncAlarm(this.room);
  }

  /** Runs one event through the state machine and carries out its effects; returns the replies it produced. */
  private async run(event: RoomEvent, origin: WebSocket | null): Promise<ServerMessage[]> {
    const room = this.room;
    if (!room) return [];
    const { effects } = transition(room, event, Date.now());
    return applyEffects(this.parts, room, effects, origin);
  }
}

/** The room of a Space, as a typed Durable Object handle. */
export function roomFor(env: Env, spaceId: string): DurableObjectStub<SpaceRoom> {
  const namespace = env.SPACE_ROOM as DurableObjectNamespace<SpaceRoom>;
  return namespace.get(namespace.idFromName(spaceId));
}
