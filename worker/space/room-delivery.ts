// Where the room's frames go: the room's own hibernatable sockets (all, or one person's by tag) and, for everyone or
// for a person a shard holds, the room's shards. Sends never throw; the socket's close handler does the bookkeeping.
// The list of all sockets is kept in memory (rebuilt from the runtime's only when the object wakes), so a broadcast,
// four a second in a busy room, does not ask the runtime for thousands of socket handles each time.
import { CLOSE_ENDED, type ServerMessage } from "../protocol/room.ts";
import { tryClose, trySend } from "../sockets.ts";
import type { RoomState } from "./room-model.ts";
import { userTag } from "./room-sockets.ts";
import type { ShardRelay } from "./shard-relay.ts";

export class RoomDelivery {
  private readonly ctx: DurableObjectState;
  private readonly shards: ShardRelay;
  private readonly open = new Set<WebSocket>();
  /** `open` as an array, made again only after a change; a broadcast going out keeps the one it started with. */
  private list: WebSocket[] | null = null;

  /** Takes over the sockets that outlived the object (a hibernation wake or a restart). */
  constructor(ctx: DurableObjectState, shards: ShardRelay) {
    this.ctx = ctx;
    this.shards = shards;
    for (const ws of ctx.getWebSockets()) this.open.add(ws);
  }

  /** A new socket of the room's own, hibernatable, tagged with its person. */
  accept(ws: WebSocket, userId: string): void {
    this.ctx.acceptWebSocket(ws, [userTag(userId)]);
    this.open.add(ws);
    this.list = null;
  }

  /** The socket closed, or the room closed it: nothing more goes to it. */
  forget(ws: WebSocket): void {
    if (this.open.delete(ws)) this.list = null;
  }

  /** Every socket the room itself holds. */
  sockets(): WebSocket[] {
    return (this.list ??= [...this.open]);
  }

  /** To one person: their own sockets here, or the shard that holds them. */
  sendTo(room: RoomState, userId: string, text: string): void {
    for (const ws of this.ctx.getWebSockets(userTag(userId))) trySend(ws, text);
    const via = room.people.get(userId)?.via;
    if (via) this.shards.deliver(via, userId, [text]);
  }

  /** To everyone: the room's own sockets, and one call per shard. */
  broadcast(room: RoomState, text: string): void {
    for (const ws of this.sockets()) trySend(ws, text);
    this.shards.broadcast(room.shards.keys(), text);
  }

  /** One person's sockets here get a last frame, then close. */
  closeUser(userId: string, message: ServerMessage, code: number, reason: string): void {
    const text = JSON.stringify(message);
    for (const ws of this.ctx.getWebSockets(userTag(userId))) {
      trySend(ws, text);
      tryClose(ws, code, reason);
      this.forget(ws);
    }
  }

  /** The room ended: every socket here gets the `ended` frame and closes; the shards do the same with theirs. */
  async endAll(room: RoomState, text: string): Promise<void> {
    for (const ws of this.ctx.getWebSockets()) {
      trySend(ws, text);
      tryClose(ws, CLOSE_ENDED, "ended");
    }
    this.open.clear();
    this.list = null;
    await this.shards.end(room.shards.keys(), text);
  }
}
