// A shard of a big room: a leaf holds plain listeners' sockets (placed near them), relays the room's frames to them (one
// RPC per frame from above, one send per socket here), reports its exact listener count up under a lease, rate-limits
// and coalesces its listeners' reactions, and forwards anything else they send to the room. A relay is the same object
// with leaf shards instead of sockets (shard-children.ts): frames go down to each, counts and reactions merge going up.
import { DurableObject } from "cloudflare:workers";
import { errorResponse } from "../protocol/errors.ts";
import { parseClientMessage } from "../protocol/room-parse.ts";
import {
  CLOSE_ENDED, CLOSE_TOO_MANY_SOCKETS, LISTENER_SAMPLE_SIZE, type ClientMessage, type ListenerEntry, type ReactionEmoji, type ReactionSender,
  type SnapshotMessage,
} from "../protocol/room.ts";
import { tryClose, trySend } from "../sockets.ts";
import { ShardReactions } from "./shard-reactions.ts";
import { ShardChildren } from "./shard-children.ts";
import { relayRegion } from "./room-relays.ts";
import type { ShardReport } from "./room-shards.ts";
import { BROADCAST_SLICE } from "./room-fanout.ts";
import { attach, attachmentOf, IDENTITY_HEADER, parseIdentity, userTag, type SocketAttachment } from "./room-sockets.ts";
import { decodeHeader, parseShardAddress, SHARD_HEADER, SNAPSHOT_HEADER, type ShardAddress } from "./shard-wire.ts";
import { refuseSocket, subprotocolHeaders } from "./room-entry.ts";
import { roomMaxSocketsPerPerson } from "../settings.ts";

/** Count reports are coalesced to one per this many ms (joins and leaves in a burst make one report). */
const REPORT_MS = 200;

/** `watched`: the room remembers this person (they sent it a frame, or it wrote to them), so it hears when they go. */
type ShardAttachment = SocketAttachment & { watched?: boolean };

export class SpaceShard extends DurableObject<Env> {
  private address: ShardAddress | null;
  private readonly reactions = new ShardReactions((batch) => {
    const address = this.address;
    if (!address) return;
    const sent = address.parent
      ? this.shard(address, address.parent).childReactions(address, batch.counts, batch.recent)
      : this.room(address).shardReactions(address.shard, batch.counts, batch.recent);
    sent.catch((error: unknown) => this.log("shard_reactions_failed", error));
  });
  /** Leaf shards under this one when it is a relay (none on a leaf). */
  private readonly children: ShardChildren<DurableObjectStub<SpaceShard>>;
  private reportTimer: ReturnType<typeof setTimeout> | null = null;
  private reporting: Promise<void> = Promise.resolve();
  private alarmSet = false;
  /** Room frames waiting to go out to every socket, in order; one goes out slice by slice before the next. */
  private readonly outbox: string[] = [];
  private sending = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS shard_meta (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)");
    const row = ctx.storage.sql.exec<{ json: string }>("SELECT json FROM shard_meta WHERE id = 1").toArray()[0];
    this.address = row ? (JSON.parse(row.json) as ShardAddress) : null;
    this.children = new ShardChildren(ctx.storage.sql, (name) => (this.address ? shardFor(env, this.address.spaceId, name) : null));
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'));
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return errorResponse(426, "upgrade_required", "This address only accepts WebSocket connections.");
    }
    const identity = parseIdentity(request.headers.get(IDENTITY_HEADER));
    if (!identity) return errorResponse(401, "invalid_token", "The room could not tell who you are.");
    const address = parseShardAddress(request.headers.get(SHARD_HEADER));
    const snapshot = decodeHeader<SnapshotMessage>(request.headers.get(SNAPSHOT_HEADER), (s) => s.type === "snapshot");
    if (!address || !snapshot) return errorResponse(400, "bad_request", "The room did not say where this socket belongs.");
    this.remember(address);
    // The room checked the join token (single use); the per-person socket cap is counted where the sockets are.
    const headers = subprotocolHeaders(request);
    const max = roomMaxSocketsPerPerson(this.env);
    if (this.ctx.getWebSockets(userTag(identity.userId)).length >= max) {
      const message = `You already have this Space open in ${max} places. Close one of them to listen here.`;
      return refuseSocket({ type: "error", code: "too_many_connections", message }, CLOSE_TOO_MANY_SOCKETS, headers);
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [userTag(identity.userId)]);
    attach(server, { ...identity, cid: crypto.randomUUID() });
    trySend(server, JSON.stringify(snapshot));
    this.reportSoon();
    await this.keepLease();
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const who = attachmentOf(ws) as ShardAttachment | null;
    if (!who || !this.address) return;
    const parsed = parseClientMessage(message);
    if (!parsed.ok) return trySend(ws, JSON.stringify(parsed.error));
    const frame = parsed.message;
    if (frame.type === "ping") return trySend(ws, JSON.stringify({ type: "pong" }));
    if (frame.type === "react") {
      const refused = this.reactions.react({ userId: who.userId, handle: who.handle, emoji: frame.emoji }, Date.now());
      return refused ? trySend(ws, JSON.stringify(refused)) : undefined;
    }
    await this.forward(ws, who, frame);
  }

  override async webSocketClose(ws: WebSocket): Promise<void> {
    await this.socketGone(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.socketGone(ws);
  }

  /** Lease renewal: the room counts this shard's listeners only while it hears from it. */
  override async alarm(): Promise<void> {
    this.alarmSet = false;
    if (!this.address) return;
    this.children.expire(Date.now());
    await this.report();
    if (this.openSockets().length > 0 || this.children.size > 0) await this.keepLease();
  }

  // ---- RPC from the room ----

  /** One frame for every listener here (a broadcast, a reactions batch, a caption). */
  relay(text: string): void {
    void this.children.each("relay", (child) => child.relay(text));
    this.outbox.push(text);
    if (!this.sending) this.sendNext();
  }

  /** Whether this person has a socket open here (the room asks when the audio routes ask it about them). */
  holds(userId: string): boolean {
    return this.ctx.getWebSockets(userTag(userId)).some((ws) => ws.readyState === WebSocket.OPEN);
  }

  /** Frames for one person (their `you` changes, an invitation); the room remembers them from now on. */
  deliver(userId: string, texts: string[]): void {
    // A relay passes it on: the room may know someone only from this relay's sample, not their leaf.
    void this.children.each("deliver", (child) => child.deliver(userId, texts));
    for (const ws of this.ctx.getWebSockets(userTag(userId))) {
      this.watch(ws);
      for (const text of texts) trySend(ws, text);
    }
  }

  /** The host removed this person: tell them, close their sockets. */
  remove(userId: string, text: string, code: number): void {
    void this.children.each("remove", (child) => child.remove(userId, text, code));
    for (const ws of this.ctx.getWebSockets(userTag(userId))) {
      trySend(ws, text);
      tryClose(ws, code, "removed");
    }
  }

  /** The Space ended: tell everyone, close every socket, forget the room. */
  async end(text: string): Promise<void> {
    this.address = null;
    this.outbox.length = 0;
    this.ctx.storage.sql.exec("DELETE FROM shard_meta");
    await this.children.each("end", (child) => child.end(text));
    this.children.clear();
    for (const ws of this.ctx.getWebSockets()) {
      trySend(ws, text);
      tryClose(ws, CLOSE_ENDED, "ended");
    }
    await this.ctx.storage.deleteAlarm();
  }

  // ---- RPC from the room and from child shards, when this shard is a relay ----

  /** The room put a leaf shard under this relay (`address` is the relay's own). */
  async adopt(address: ShardAddress, leaf: string): Promise<void> {
    this.remember(address);
    this.children.adopt(leaf, address.leaseMs, Date.now());
    await this.keepLease();
  }

  /** The room moved this leaf under a relay: report there from now on, starting now. */
  async reparent(address: ShardAddress): Promise<void> {
    this.remember(address);
    await this.report();
  }

  /** A child's leased report (`address` is the child's own); merged into this relay's next report up. */
  async childReport(address: ShardAddress, report: ShardReport): Promise<{ live: boolean }> {
    if (!this.address && address.parent) this.remember({ spaceId: address.spaceId, shard: address.parent, leaseMs: address.leaseMs, parent: null });
    if (!this.address) return { live: false };
    this.children.report(address.shard, report, Date.now());
    this.reportSoon();
    await this.keepLease();
    return { live: true };
  }

  /** A child's coalesced reactions, merged into this relay's next batch up. */
  childReactions(_address: ShardAddress, counts: Partial<Record<ReactionEmoji, number>>, recent: ReactionSender[]): void {
    if (this.address) this.reactions.merge(counts, recent, Date.now());
  }

  // ---- listeners ----

  /** Anything but a reaction or ping goes to the room, which answers as it would its own socket. */
  private async forward(ws: WebSocket, who: ShardAttachment, frame: ClientMessage): Promise<void> {
    const address = this.address;
    if (!address) return;
    // Marked before the room hears of them, so every report from now on lists them as present.
    this.watch(ws);
    const identity = { userId: who.userId, handle: who.handle, displayName: who.displayName, hostFollows: who.hostFollows, avatarUrl: who.avatarUrl ?? null };
    try {
      const replies = await this.room(address).shardFrame(address.shard, identity, frame);
      for (const reply of replies) trySend(ws, JSON.stringify(reply));
    } catch (error) {
      this.log("shard_forward_failed", error);
    }
  }

  private async socketGone(ws: WebSocket): Promise<void> {
    const who = attachmentOf(ws) as ShardAttachment | null;
    tryClose(ws, 1000, "bye");
    const address = this.address;
    if (!who || !address) return;
    const stillHere = this.ctx.getWebSockets(userTag(who.userId)).some((other) => other !== ws && other.readyState === WebSocket.OPEN);
    if (!stillHere) this.reactions.forget(who.userId);
    if (who.watched && !stillHere) {
      await this.room(address).shardGone(address.shard, who.userId).catch((error: unknown) => this.log("shard_gone_failed", error));
    }
    this.reportSoon();
  }

  private watch(ws: WebSocket): void {
    const who = attachmentOf(ws) as ShardAttachment | null;
    if (who && !who.watched) attach(ws, { ...who, watched: true } as ShardAttachment);
  }

  private openSockets(): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);
  }

  private sendNext(): void {
    const text = this.outbox.shift();
    if (text === undefined) return void (this.sending = false);
    this.sending = true;
    const sockets = this.openSockets();
    const sendFrom = (start: number) => {
      const end = Math.min(sockets.length, start + BROADCAST_SLICE);
      for (let i = start; i < end; i++) trySend(sockets[i]!, text);
      if (end < sockets.length) setTimeout(() => sendFrom(end), 0);
      else this.sendNext();
    };
    sendFrom(0);
  }

  // ---- the lease ----

  private remember(address: ShardAddress): void {
    const same = this.address?.spaceId === address.spaceId && this.address.shard === address.shard;
    if (same && this.address?.leaseMs === address.leaseMs && (this.address.parent ?? null) === (address.parent ?? null)) return;
    this.address = address;
    this.ctx.storage.sql.exec(
      "INSERT INTO shard_meta (id, json) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json",
      JSON.stringify(address),
    );
  }

  private async keepLease(): Promise<void> {
    if (this.alarmSet || !this.address) return;
    this.alarmSet = true;
    await this.ctx.storage.setAlarm(Date.now() + Math.max(500, Math.floor(this.address.leaseMs / 3)));
  }

  private reportSoon(): void {
    if (this.reportTimer !== null) return;
    this.reportTimer = setTimeout(() => {
      this.reportTimer = null;
      void this.report();
    }, REPORT_MS);
  }

  /** One report at a time, so the room sees them in the order they were counted. */
  private report(): Promise<void> {
    this.reporting = this.reporting.then(() => this.sendReport()).catch((error: unknown) => this.log("shard_report_failed", error));
    return this.reporting;
  }

  private async sendReport(): Promise<void> {
    const address = this.address;
    if (!address) return;
    const listeners = new Map<string, ListenerEntry>();
    const present = new Set<string>();
    for (const ws of this.openSockets()) {
      const who = attachmentOf(ws) as ShardAttachment | null;
      if (!who) continue;
      listeners.set(who.userId, { userId: who.userId, handle: who.handle, displayName: who.displayName, ...(who.avatarUrl ? { avatarUrl: who.avatarUrl } : {}) });
      if (who.watched) present.add(who.userId);
    }
    // A relay adds its children's figures and says who each of its leaves holds.
    const below = this.children.size > 0 || relayRegion(address.shard) !== null ? this.children.total() : null;
    const sample = [...listeners.values(), ...(below?.sample ?? [])].slice(0, LISTENER_SAMPLE_SIZE);
    const report: ShardReport = {
      count: listeners.size + (below?.count ?? 0), sample, present: [...present], sentAt: Date.now(), leaseMs: address.leaseMs,
      ...(below ? { leaves: below.leaves } : {}),
    };
    const answer: { live: boolean; parent?: string | null } = address.parent
      ? await this.shard(address, address.parent).childReport(address, report)
      : await this.room(address).shardReport(address.shard, report);
    // The room has ended (and its end frame may have missed this shard): nobody should stay.
    if (!answer.live) return this.end(JSON.stringify({ type: "ended", reason: "host_ended" }));
    // The room moved this leaf under a relay (and its word to the leaf went missing): report there instead.
    if (answer.parent && answer.parent !== address.parent) {
      this.remember({ ...address, parent: answer.parent });
      void this.report();
    }
  }

  private shard(address: ShardAddress, name: string) {
    return shardFor(this.env, address.spaceId, name);
  }

  private room(address: ShardAddress) {
    const namespace = this.env.SPACE_ROOM;
    return namespace.get(namespace.idFromName(address.spaceId));
  }

  private log(event: string, error: unknown): void {
    console.log(JSON.stringify({ event, spaceId: this.address?.spaceId, shard: this.address?.shard, error: String(error) }));
  }
}

/** A shard of a Space's room, placed by `locationHint` when it is first created. */
export function shardFor(env: Env, spaceId: string, shard: string, locationHint?: string | null): DurableObjectStub<SpaceShard> {
  const namespace = env.SPACE_SHARD as DurableObjectNamespace<SpaceShard>;
  const id = namespace.idFromName(`${spaceId}/${shard}`);
  return locationHint ? namespace.get(id, { locationHint: locationHint as DurableObjectLocationHint }) : namespace.get(id);
}
