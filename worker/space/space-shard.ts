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
import { ShardUplink, type Upstream } from "./shard-uplink.ts";
import { ShardOutbox } from "./shard-outbox.ts";
import { attach, attachmentOf, IDENTITY_HEADER, parseIdentity, userTag, type SocketAttachment } from "./room-sockets.ts";
import { decodeHeader, parseShardAddress, SHARD_HEADER, SNAPSHOT_HEADER, type ShardAddress } from "./shard-wire.ts";
import { refuseSocket, subprotocolHeaders } from "./room-entry.ts";
import { roomMaxSocketsPerPerson } from "../settings.ts";

/** `watched`: the room remembers this person (they sent it a frame, or it wrote to them), so it hears when they go. */
type ShardAttachment = SocketAttachment & { watched?: boolean };

export class SpaceShard extends DurableObject<Env> {
  private address: ShardAddress | null;
  private readonly uplink: ShardUplink = new ShardUplink({
    storage: this.ctx.storage,
    address: () => this.address,
    figures: (address) => this.figures(address),
    up: (address) => this.up(address),
    moved: (address) => this.remember(address),
    ended: () => this.end(JSON.stringify({ type: "ended", reason: "host_ended" })),
    log: (event, error) => this.log(event, error),
  });
  private readonly reactions = new ShardReactions((batch) => this.uplink.reactions(batch));
  /** Leaf shards under this one when it is a relay (none on a leaf). */
  private readonly children: ShardChildren<DurableObjectStub<SpaceShard>>;
  /** Room frames waiting to go out to every socket here. */
  private readonly outbox = new ShardOutbox(() => this.openSockets());

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
    this.uplink.reportSoon();
    await this.uplink.keepLease();
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
    this.uplink.alarmFired();
    if (!this.address) return;
    this.children.expire(Date.now());
    await this.uplink.report();
    if (this.openSockets().length > 0 || this.children.size > 0) await this.uplink.keepLease();
  }

  // ---- RPC from the room ----

  /** One frame for every listener here (a broadcast, a reactions batch, a caption). */
  relay(text: string): void {
    void this.children.each("relay", (child) => child.relay(text));
    this.outbox.push(text);
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
    // A relay's children first: their stubs are named from the address forgotten below.
    await this.children.each("end", (child) => child.end(text));
    this.children.clear();
    this.address = null;
    this.outbox.clear();
    this.ctx.storage.sql.exec("DELETE FROM shard_meta");
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
    await this.uplink.keepLease();
  }

  /** The room moved this leaf under a relay: report there from now on, starting now. */
  async reparent(address: ShardAddress): Promise<void> {
    this.remember(address);
    await this.uplink.report();
  }

  /** A child's leased report (`address` is the child's own); merged into this relay's next report up. */
  async childReport(address: ShardAddress, report: ShardReport): Promise<{ live: boolean }> {
    if (!this.address && address.parent) this.remember({ spaceId: address.spaceId, shard: address.parent, leaseMs: address.leaseMs, parent: null });
    if (!this.address) return { live: false };
    this.children.report(address.shard, report, Date.now());
    this.uplink.reportSoon();
    await this.uplink.keepLease();
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
    this.uplink.reportSoon();
  }

  private watch(ws: WebSocket): void {
    const who = attachmentOf(ws) as ShardAttachment | null;
    if (!who || who.watched) return;
    attach(ws, { ...who, watched: true } as ShardAttachment);
    // Reported soon, so a relay above stops passing on this leaf's older list without them (the room would think them gone).
    this.uplink.reportSoon();
  }

  private openSockets(): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);
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

  /** This shard's figures for its report up: its own listeners and, on a relay, its children's, per leaf. */
  private figures(address: ShardAddress): Omit<ShardReport, "sentAt" | "leaseMs"> {
    const listeners = new Map<string, ListenerEntry>();
    const present = new Set<string>();
    for (const ws of this.openSockets()) {
      const who = attachmentOf(ws) as ShardAttachment | null;
      if (!who) continue;
      listeners.set(who.userId, { userId: who.userId, handle: who.handle, displayName: who.displayName, ...(who.avatarUrl ? { avatarUrl: who.avatarUrl } : {}) });
      if (who.watched) present.add(who.userId);
    }
    const below = this.children.size > 0 || relayRegion(address.shard) !== null ? this.children.total() : null;
    const sample = [...listeners.values(), ...(below?.sample ?? [])].slice(0, LISTENER_SAMPLE_SIZE);
    return { count: listeners.size + (below?.count ?? 0), sample, present: [...present], ...(below ? { leaves: below.leaves } : {}) };
  }

  /** Where reports and reactions go: the relay this leaf sits under, or the room. */
  private up(address: ShardAddress): Upstream {
    if (address.parent) {
      const relay = shardFor(this.env, address.spaceId, address.parent);
      return { report: (report) => relay.childReport(address, report), reactions: (batch) => relay.childReactions(address, batch.counts, batch.recent) };
    }
    const room = this.room(address);
    return { report: (report) => room.shardReport(address.shard, report), reactions: (batch) => room.shardReactions(address.shard, batch.counts, batch.recent) };
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
