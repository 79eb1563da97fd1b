// Where the room's frames go: the room's own hibernatable sockets (all, or one person's by tag) and, for everyone or
// for a person a shard holds, the room's shards. Sends never throw; the socket's close handler does the bookkeeping.
import { CLOSE_ENDED, type ServerMessage } from "../protocol/room.ts";
import { tryClose, trySend } from "../sockets.ts";
import type { RoomState } from "./room-model.ts";
import { userTag } from "./room-sockets.ts";
import type { ShardRelay } from "./shard-relay.ts";

export class RoomDelivery {
  private readonly ctx: DurableObjectState;
  private readonly shards: ShardRelay;

  constructor(ctx: DurableObjectState, shards: ShardRelay) {
    this.ctx = ctx;
    this.shards = shards;
  }

  /** Every socket the room itself holds. */
  sockets(): WebSocket[] {
    return this.ctx.getWebSockets();
  }

  /** To one person: their own sockets here, or the shard that holds them. */
  sendTo(room: RoomState, userId: string, text: string): void {
    for (const ws of this.ctx.getWebSockets(userTag(userId))) trySend(ws, text);
    const via = room.people.get(userId)?.via;
    if (via) this.shards.deliver(via, userId, [text]);
  }

  /** To everyone: the room's own sockets, and one call per shard. */
  broadcast(room: RoomState, text: string): void {
    for (const ws of this.ctx.getWebSockets()) trySend(ws, text);
    this.shards.broadcast(room.shards.keys(), text);
  }

  /** One person's sockets here get a last frame, then close. */
  closeUser(userId: string, message: ServerMessage, code: number, reason: string): void {
    const text = JSON.stringify(message);
    for (const ws of this.ctx.getWebSockets(userTag(userId))) {
      trySend(ws, text);
      tryClose(ws, code, reason);
    }
  }

  /** The room ended: every socket here gets the `ended` frame and closes; the shards do the same with theirs. */
  async endAll(room: RoomState, text: string): Promise<void> {
    for (const ws of this.ctx.getWebSockets()) {
      trySend(ws, text);
      tryClose(ws, CLOSE_ENDED, "ended");
    }
    await this.shards.end(room.shards.keys(), text);
  }
}
