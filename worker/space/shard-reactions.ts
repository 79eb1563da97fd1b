// A shard's reactions: its listeners' rate limit (the room's rule: 5 a second, one rate_limited per burst, guests
// refused) and the batches it sends up, coalesced like the room's own fan-out (a reaction in a quiet shard goes at
// once, then at most one batch every REACTION_FLUSH_MS); a relay shard merges its children's batches the same way.
import { isGuestId } from "../protocol/guest.ts";
import { roomError } from "../protocol/room-parse.ts";
import { REACTIONS_PER_SECOND, type ErrorMessage, type ReactionEmoji, type ReactionsMessage, type ReactionSender } from "../protocol/room.ts";
import { ReactionBatch, REACTION_FLUSH_MS } from "./reaction-batch.ts";

type RateWindow = { start: number; count: number; rejected: boolean; notified: boolean };

export class ShardReactions {
  private readonly batch = new ReactionBatch();
  private readonly rates = new Map<string, RateWindow>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastFlush = Number.NEGATIVE_INFINITY;
  private readonly send: (batch: ReactionsMessage) => void;

  /** `send` takes each coalesced batch up to the room. */
  constructor(send: (batch: ReactionsMessage) => void) {
    this.send = send;
  }

  /** Takes one reaction from a listener; returns the error frame to answer them with, if any. */
  react(sender: ReactionSender, now: number): ErrorMessage | null {
    if (isGuestId(sender.userId)) return roomError("sign_up_required", "Guests can only listen. Sign up to react or speak.", "react");
    let rate = this.rates.get(sender.userId);
    if (!rate || now - rate.start >= 1000) {
      // A burst ends only after a whole window without refusals; then a new burst may earn a new rate_limited.
      rate = { start: now, count: 0, rejected: false, notified: rate ? rate.rejected && rate.notified : false };
      this.rates.set(sender.userId, rate);
    }
    if (rate.count >= REACTIONS_PER_SECOND) {
      rate.rejected = true;
      if (rate.notified) return null;
      rate.notified = true;
      return roomError("rate_limited", `At most ${REACTIONS_PER_SECOND} reactions a second.`, "react");
    }
    rate.count += 1;
    this.batch.add(sender);
    this.schedule(now);
    return null;
  }

  /** A batch a child shard coalesced (this shard is a relay): merged into the next batch up, under the same pacing. */
  merge(counts: Partial<Record<ReactionEmoji, number>>, recent: ReactionSender[], now: number): void {
    this.batch.addBatch(counts, recent);
    this.schedule(now);
  }

  private schedule(now: number): void {
    if (this.timer !== null) return;
    const due = Math.max(now, this.lastFlush + REACTION_FLUSH_MS);
    this.timer = setTimeout(() => this.flush(), due - now);
  }

  /** Forgets a person's rate window (their last socket here closed). */
  forget(userId: string): void {
    this.rates.delete(userId);
  }

  private flush(): void {
    this.timer = null;
    const batch = this.batch.take();
    if (!batch) return;
    this.lastFlush = Date.now();
    this.send(batch);
  }
}
