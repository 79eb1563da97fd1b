// Coalesces reactions between flushes into one `reactions` frame: counts by emoji and the last few senders.
import type { ReactionEmoji, ReactionSender, ReactionsMessage } from "../protocol/room.ts";

/** The gap between coalesced frames to a socket: at most 4 in any second however many reactions arrive, with 10 ms a
 * gap (40 ms over 5 frames) to spare for delivery jitter, so a listener, not only the room's clock, sees 4 at most; at
 * 10/s a reaction waits half a gap (≈ 130 ms) on average. */
export const REACTION_FLUSH_MS = 260;
export const RECENT_SENDERS = 5;

export class ReactionBatch {
  private counts = new Map<ReactionEmoji, number>();
  private recent: ReactionSender[] = [];

  get pending(): boolean {
    return this.counts.size > 0;
  }

  add(sender: ReactionSender): void {
    this.counts.set(sender.emoji, (this.counts.get(sender.emoji) ?? 0) + 1);
    this.recent.push(sender);
    if (this.recent.length > RECENT_SENDERS) this.recent.shift();
  }

  /** A batch coalesced elsewhere (a shard's listeners): its counts added, its senders as the most recent. */
  addBatch(counts: Partial<Record<ReactionEmoji, number>>, recent: ReactionSender[]): void {
    for (const [emoji, count] of Object.entries(counts) as [ReactionEmoji, number][]) {
      if (count > 0) this.counts.set(emoji, (this.counts.get(emoji) ?? 0) + count);
    }
    this.recent.push(...recent);
    if (this.recent.length > RECENT_SENDERS) this.recent.splice(0, this.recent.length - RECENT_SENDERS);
  }

  /** The frame for everything added since the last take, or null when nothing was. */
  take(): ReactionsMessage | null {
    if (this.counts.size === 0) return null;
    const message: ReactionsMessage = { type: "reactions", counts: Object.fromEntries(this.counts), recent: this.recent };
    this.counts = new Map();
    this.recent = [];
    return message;
  }
}
