// A shard's reactions: the room's rate rule per listener, guests refused, and batches to the room coalesced to one per
// flush gap (REACTION_FLUSH_MS; the first in a quiet shard at once).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GUEST_PREFIX } from "../../worker/protocol/guest.ts";
import type { ReactionsMessage } from "../../worker/protocol/room.ts";
import { REACTION_FLUSH_MS } from "../../worker/space/reaction-batch.ts";
import { ShardReactions } from "../../worker/space/shard-reactions.ts";

const fire = (userId: string) => ({ userId, handle: `h_${userId}`, emoji: "🔥" as const });

describe("shard reactions", () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it("allows 5 a second per listener and says rate_limited once per burst", () => {
    const sent: ReactionsMessage[] = [];
    const reactions = new ShardReactions((batch) => sent.push(batch));
    const answers = Array.from({ length: 8 }, () => reactions.react(fire("a"), Date.now())?.code ?? null);
    expect(answers).toEqual([null, null, null, null, null, "rate_limited", null, null]);
    vi.advanceTimersByTime(0);
    // Only the five allowed went up.
    expect(sent.map((b) => b.counts["🔥"])).toEqual([5]);
    // Still refused (silently) in the next window of the same burst; a quiet window ends the burst.
    expect(reactions.react(fire("a"), Date.now() + 1000)).toBeNull();
    expect(reactions.react(fire("b"), Date.now())).toBeNull();
    expect(reactions.react({ userId: `${GUEST_PREFIX}1`, handle: "guest", emoji: "🔥" }, Date.now())?.code).toBe("sign_up_required");
  });

  it("sends the first batch at once and the next no sooner than a flush gap later, counts merged", () => {
    const sent: ReactionsMessage[] = [];
    const reactions = new ShardReactions((batch) => sent.push(batch));
    reactions.react(fire("a"), Date.now());
    vi.advanceTimersByTime(0);
    expect(sent.map((b) => b.counts["🔥"])).toEqual([1]);
    reactions.react(fire("b"), Date.now());
    reactions.react(fire("c"), Date.now());
    vi.advanceTimersByTime(REACTION_FLUSH_MS - 1);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sent.map((b) => b.counts["🔥"])).toEqual([1, 2]);
    expect(sent[1]!.recent.map((r) => r.userId)).toEqual(["b", "c"]);
  });
});
