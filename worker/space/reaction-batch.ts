// Coalesces reactions between flushes into one `reactions` frame: counts by emoji and the last few senders.
import type { ReactionEmoji, ReactionSender, ReactionsMessage } from "../protocol/room.ts";

/** The gap between coalesced frames to a socket: 4 a second at most however many reactions arrive, and at 10/s a
 * reaction waits half a gap (≈ 125 ms) on average. */
export const REACTION_FLUSH_MS = 250;
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

  /** The frame for everything added since the last take, or null when nothing was. */
  take(): ReactionsMessage | null {
    if (this.counts.size === 0) return null;
    const message: ReactionsMessage = { type: "reactions", counts: Object.fromEntries(this.counts), recent: this.recent };
    this.counts = new Map();
    this.recent = [];
    return message;
  }
}
