// Coalesced fan-out of the room's busy signals: reactions at most every 250 ms and the listener count every second.
// Its timer exists only while something waits, so an idle room can hibernate.
import type { ReactionSender, ServerMessage } from "../protocol/room.ts";
import { ReactionBatch, REACTION_FLUSH_MS } from "./reaction-batch.ts";
import { sendAll } from "./room-sockets.ts";

export const COUNT_BROADCAST_MS = 1000;

export class RoomFanout {
  private readonly reactions = new ReactionBatch();
  private readonly sockets: () => WebSocket[];
  private readonly listenerCount: () => number | null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastReactionFlush = 0;
  private lastCountFlush = 0;
  private countDirty = false;

  /** `listenerCount` returns null once the room is no longer live, which stops all sending. */
  constructor(sockets: () => WebSocket[], listenerCount: () => number | null) {
    this.sockets = sockets;
    this.listenerCount = listenerCount;
  }

  addReaction(sender: ReactionSender): void {
    this.reactions.add(sender);
    this.schedule();
  }

  countChanged(): void {
    this.countDirty = true;
    this.schedule();
  }

  /** Drops whatever is waiting (the room ended). */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.reactions.take();
    this.countDirty = false;
  }

  private schedule(): void {
    if (this.timer !== null) return;
    let due = Number.POSITIVE_INFINITY;
    if (this.reactions.pending) due = Math.min(due, this.lastReactionFlush + REACTION_FLUSH_MS);
    if (this.countDirty) due = Math.min(due, this.lastCountFlush + COUNT_BROADCAST_MS);
    if (due === Number.POSITIVE_INFINITY) return;
    // Even a flush that is due now runs on a timer, so the join or frame that caused it answers first.
    this.timer = setTimeout(() => this.flush(), Math.max(0, due - Date.now()));
  }

  private flush(): void {
    this.timer = null;
    const listenerCount = this.listenerCount();
    if (listenerCount === null) return this.stop();
    const now = Date.now();
    if (this.reactions.pending && now >= this.lastReactionFlush + REACTION_FLUSH_MS) {
      const batch = this.reactions.take();
      if (batch) sendAll(this.sockets(), batch);
      this.lastReactionFlush = now;
    }
    if (this.countDirty && now >= this.lastCountFlush + COUNT_BROADCAST_MS) {
      sendAll(this.sockets(), { type: "update", listenerCount } satisfies ServerMessage);
      this.countDirty = false;
      this.lastCountFlush = now;
    }
    this.schedule();
  }

  /** Whether a flush timer is pending (tests check that an idle room has none). */
  get waiting(): boolean {
    return this.timer !== null;
  }
}
