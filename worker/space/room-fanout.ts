// Coalesced fan-out of the room's busy signals: at most one frame every 260 ms to each socket (reactions, or the
// listener count when no reactions go out), so never more than 4 in any second; a reaction in a quiet room goes at once.
// The count goes at most every second (less often in big rooms, riding on a reactions frame when one goes out anyway).
// Big broadcasts go out in slices with a turn of the event loop between them, so a join or a frame never waits behind
// 5,000 sends. Its timers exist only while something waits, so an idle room can hibernate.
import type { ListenerEntry, ReactionEmoji, ReactionSender, ServerMessage } from "../protocol/room.ts";
import { ReactionBatch, REACTION_FLUSH_MS } from "./reaction-batch.ts";
import { trySend } from "../sockets.ts";

export const COUNT_BROADCAST_MS = 1000;
/** Sockets sent to in one turn of the event loop; about 5 ms of work here. */
export const BROADCAST_SLICE = 100;
/** Each this many sockets add a second between listener-count broadcasts (a 5k room: every 5 s). */
const SOCKETS_PER_COUNT_SECOND = 1000;

export class RoomFanout {
  private readonly reactions = new ReactionBatch();
  private readonly sockets: () => WebSocket[];
  private readonly listenerCount: () => number | null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private sliceTimer: ReturnType<typeof setTimeout> | null = null;
  /** When the last coalesced frame (reactions or count) went out: the next waits REACTION_FLUSH_MS after it. */
  private lastFrame = Number.NEGATIVE_INFINITY;
  private lastCountFlush = Number.NEGATIVE_INFINITY;
  private countDirty = false;
  private countIntervalMs = COUNT_BROADCAST_MS;
  private readonly listenerSample: () => ListenerEntry[];
  /** Sends each coalesced frame once to every shard, which passes it on to its own sockets. */
  private readonly relay: (text: string) => void;
  private lastSampleSent = "";
  /**
   * When each socket last got a coalesced frame. Frames are a gap apart at their start, but a broadcast's slices can
   * leave late (the loop was busy, or the socket moved in the list): a slice waits until none of its sockets had a
   * frame within the last gap, so the cap holds per socket, not only per broadcast.
   */
  private readonly lastSentTo = new WeakMap<WebSocket, number>();

  /**
   * `listenerCount` returns null once the room is no longer live, which stops all sending. The listener sample
   * rides with the count (it only changes when people come or go) and only when it differs from the last one sent.
   */
  constructor(
    sockets: () => WebSocket[],
    listenerCount: () => number | null,
    listenerSample: () => ListenerEntry[] = () => [],
    relay: (text: string) => void = () => {},
  ) {
    this.sockets = sockets;
    this.listenerCount = listenerCount;
    this.listenerSample = listenerSample;
    this.relay = relay;
  }

  addReaction(sender: ReactionSender): void {
    this.reactions.add(sender);
    this.schedule();
  }

  /** Reactions a shard already coalesced: they go out in the room's next frame, under the same budget. */
  addBatch(counts: Partial<Record<ReactionEmoji, number>>, recent: ReactionSender[]): void {
    this.reactions.addBatch(counts, recent);
    this.schedule();
  }

  countChanged(): void {
    this.countDirty = true;
    this.schedule();
  }

  /** Drops whatever is waiting (the room ended). */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.sliceTimer !== null) clearTimeout(this.sliceTimer);
    this.timer = null;
    this.sliceTimer = null;
    this.reactions.take();
    this.countDirty = false;
  }

  private schedule(): void {
    if (this.timer !== null) return;
    const frameDue = this.lastFrame + REACTION_FLUSH_MS;
    let due = Number.POSITIVE_INFINITY;
    if (this.reactions.pending) due = frameDue;
    if (this.countDirty) due = Math.min(due, Math.max(frameDue, this.lastCountFlush + this.countIntervalMs));
    if (due === Number.POSITIVE_INFINITY) return;
    // Even a flush that is due now runs on a timer, so the join or frame that caused it answers first.
    this.timer = setTimeout(() => this.flush(), Math.max(0, due - Date.now()));
  }

  private flush(): void {
    this.timer = null;
    const listenerCount = this.listenerCount();
    if (listenerCount === null) return this.stop();
    // A broadcast still going out finishes first, so every socket sees flushes in order.
    if (this.sliceTimer !== null) return void (this.timer = setTimeout(() => this.flush(), 10));
    const now = Date.now();
    const sockets = this.sockets();
    // Sized by the whole audience, shards' listeners included: they get every count frame too.
    this.countIntervalMs = COUNT_BROADCAST_MS * Math.max(1, Math.ceil(Math.max(sockets.length, listenerCount) / SOCKETS_PER_COUNT_SECOND));
    const frameDue = now >= this.lastFrame + REACTION_FLUSH_MS;
    const countDue = this.countDirty && now >= this.lastCountFlush + this.countIntervalMs;
    if (frameDue && this.reactions.pending) {
      const batch = this.reactions.take();
      // The count rides along whenever it has changed: no extra frame while reactions flow.
      if (batch) this.broadcast(sockets, this.countDirty ? { ...batch, listenerCount, ...this.changedSample() } : batch);
      this.lastFrame = now;
      if (this.countDirty) this.countSent(now);
    } else if (frameDue && countDue) {
      // A count-only frame takes a reaction frame's place in the 4-a-second budget.
      this.broadcast(sockets, { type: "update", listenerCount, ...this.changedSample() } satisfies ServerMessage);
      this.lastFrame = now;
      this.countSent(now);
    }
    this.schedule();
  }

  private changedSample(): { listeners?: ListenerEntry[] } {
    const listeners = this.listenerSample();
    const text = JSON.stringify(listeners);
    if (text === this.lastSampleSent) return {};
    this.lastSampleSent = text;
    return { listeners };
  }

  private countSent(now: number): void {
    this.countDirty = false;
    this.lastCountFlush = now;
  }

  /** Serializes once and sends slice by slice, yielding between slices. */
  private broadcast(sockets: WebSocket[], message: ServerMessage): void {
    const text = JSON.stringify(message);
    this.relay(text);
    const sendFrom = (start: number) => {
      this.sliceTimer = null;
      const end = Math.min(sockets.length, start + BROADCAST_SLICE);
      const now = Date.now();
      let readyAt = now;
      for (let i = start; i < end; i++) readyAt = Math.max(readyAt, (this.lastSentTo.get(sockets[i]!) ?? -Infinity) + REACTION_FLUSH_MS);
      if (readyAt > now) return void (this.sliceTimer = setTimeout(() => sendFrom(start), readyAt - now));
      for (let i = start; i < end; i++) trySend(sockets[i]!, text);
      // One clock reading for the slice, taken after its sends, so no socket's gap is counted from before its frame.
      const sentAt = Date.now();
      for (let i = start; i < end; i++) this.lastSentTo.set(sockets[i]!, sentAt);
      if (end < sockets.length) this.sliceTimer = setTimeout(() => sendFrom(end), 0);
    };
    sendFrom(0);
  }

  /** Whether a flush or a broadcast slice is pending (tests check that an idle room has none). */
  get waiting(): boolean {
    return this.timer !== null || this.sliceTimer !== null;
  }
}
