// The room's calls to its shards: one RPC per direct child for a broadcast (a leaf sends it on to its own sockets, a
// relay to its leaves), frames for one person a leaf holds, removals, relays adopting leaves, and the end. Calls never
// hold the room up; a failing shard is logged, and its lease runs out if it stays silent.
import { relayRegion } from "./room-relays.ts";
import { locationHintFor } from "./shard-wire.ts";
import { shardFor, type SpaceShard } from "./space-shard.ts";

export class ShardRelay {
  private readonly env: Env;
  private readonly spaceId: () => string | null;
  /** One stub per shard, so calls to a shard arrive in the order the room made them. */
  private readonly stubs = new Map<string, DurableObjectStub<SpaceShard>>();

  constructor(env: Env, spaceId: () => string | null) {
    this.env = env;
    this.spaceId = spaceId;
  }

  broadcast(shards: Iterable<string>, text: string): void {
    for (const shard of shards) this.call(shard, "relay", (stub) => stub.relay(text));
  }

  deliver(shard: string, userId: string, texts: string[]): void {
    this.call(shard, "deliver", (stub) => stub.deliver(userId, texts));
  }

  remove(shard: string, userId: string, text: string, code: number): void {
    this.call(shard, "remove", (stub) => stub.remove(userId, text, code));
  }

  /**
   * A leaf goes under `relay`: the relay adopts it (created near its region, which is a location hint or "any"), and
   * an existing leaf is told to report there. Both calls go first on their stubs, before any later frame.
   */
  adopt(relay: string, leaf: string, leaseMs: number, reparent: boolean): void {
    const spaceId = this.spaceId();
    if (!spaceId) return;
    const hint = locationHintFor(relayRegion(relay) ?? "", undefined);
    if (!this.stubs.has(relay)) this.stubs.set(relay, shardFor(this.env, spaceId, relay, hint));
    this.call(relay, "adopt", (stub) => stub.adopt({ spaceId, shard: relay, leaseMs, parent: null }, leaf));
    if (reparent) this.call(leaf, "reparent", (stub) => stub.reparent({ spaceId, shard: leaf, leaseMs, parent: relay }));
  }

  /** Whether this shard holds an open socket of this person (false when it cannot be asked). */
  async holds(shard: string, userId: string): Promise<boolean> {
    let held = false;
    await this.call(shard, "holds", async (stub) => (held = await stub.holds(userId)));
    return held;
  }

  end(shards: Iterable<string>, text: string): Promise<unknown> {
    return Promise.allSettled([...shards].map((shard) => this.call(shard, "end", (stub) => stub.end(text))));
  }

  private call(shard: string, step: string, send: (stub: DurableObjectStub<SpaceShard>) => Promise<unknown>): Promise<void> {
    const spaceId = this.spaceId();
    if (!spaceId) return Promise.resolve();
    let stub = this.stubs.get(shard);
    if (!stub) this.stubs.set(shard, (stub = shardFor(this.env, spaceId, shard)));
    return send(stub).then(
      () => undefined,
      (error: unknown) => {
        // A broken stub stays broken: the next call makes a new one.
        this.stubs.delete(shard);
        console.log(JSON.stringify({ event: "shard_call_failed", spaceId, shard, step, error: String(error) }));
      },
    );
  }
}
