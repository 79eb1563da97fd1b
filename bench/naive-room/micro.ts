// Per-operation costs for `npm run sim:fanout`, measured inside workerd (the bench reads the process's CPU around each
// call): a Durable Object RPC carrying a reactions frame, as a room would send to a shard, and one frame encode.
import { DurableObject } from "cloudflare:workers";

export type MicroEnv = { MICRO: DurableObjectNamespace<MicroShard> };

const CHILDREN = 8;
const IN_FLIGHT = 50;

/** A reactions frame as a parent would pass to a child shard each flush (about 300 bytes). */
function sampleFrame(i: number) {
  return {
    type: "reactions",
    counts: { "👏": 12 + (i % 7), "😂": 3, "🔥": 40, "❤️": 9, "💯": 1 },
    recent: Array.from({ length: 5 }, (_, k) => ({ userId: `user-${i}-${k}`, handle: `listener_${k}`, emoji: "🔥" })),
    listenerCount: 100_000 + i,
  };
}

export class MicroShard extends DurableObject<MicroEnv> {
  private received = 0;

  /** What a child shard does with a batch from its parent before sending it on: take it and count it. */
  deliver(text: string): number {
    this.received += text.length;
    return this.received;
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const n = Math.min(1_000_000, Math.max(1, Number(url.searchParams.get("n") ?? 1000)));
    if (url.pathname === "/micro/encode") {
      let bytes = 0;
      for (let i = 0; i < n; i++) bytes += JSON.stringify(sampleFrame(i)).length;
      return Response.json({ n, bytes });
    }
    if (url.pathname === "/micro/rpc") {
      const children = Array.from({ length: CHILDREN }, (_, i) => this.env.MICRO.get(this.env.MICRO.idFromName(`micro-child-${i}`)));
      const text = JSON.stringify(sampleFrame(0));
      let next = 0;
      const lane = async () => {
        while (next < n) {
          const i = next++;
          await children[i % CHILDREN]!.deliver(text);
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
      return Response.json({ n, bytes: text.length });
    }
    return Response.json({ error: { code: "not_found", message: "Unknown micro route." } }, { status: 404 });
  }
}

export function microFetch(request: Request, env: MicroEnv): Promise<Response> {
  return env.MICRO.get(env.MICRO.idFromName("micro-parent")).fetch(request);
}
