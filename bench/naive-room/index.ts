// The "naive" peer for `npm run bench`: a partyserver-style room (hibernatable sockets, one DO per room) that sends
// every reaction to every socket the moment it arrives, with no coalescing. Same frame shapes as the real room.
import { DurableObject } from "cloudflare:workers";
import { microFetch, MicroShard, type MicroEnv } from "./micro.ts";

export { MicroShard };

type NaiveEnv = MicroEnv & { NAIVE_ROOM: DurableObjectNamespace<NaiveRoom> };
type Attachment = { userId: string };

export class NaiveRoom extends DurableObject<NaiveEnv> {
  // Counted on accept/close instead of listing sockets, so a join costs the same O(1) as in a well-written room.
  private listenerCount = this.ctx.getWebSockets().length;

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return Response.json({ error: { code: "upgrade_required", message: "WebSocket only." } }, { status: 426 });
    }
    const userId = new URL(request.url).searchParams.get("user") ?? crypto.randomUUID();
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ userId } satisfies Attachment);
    this.listenerCount += 1;
    server.send(JSON.stringify({ type: "snapshot", you: { userId, role: "listener" }, listenerCount: this.listenerCount }));
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message !== "string") return;
    let frame: { type?: unknown; emoji?: unknown };
    try {
      frame = JSON.parse(message) as typeof frame;
    } catch {
      return;
    }
    if (frame.type !== "react" || typeof frame.emoji !== "string") return;
    const { userId } = ws.deserializeAttachment() as Attachment;
    const text = JSON.stringify({ type: "reactions", counts: { [frame.emoji]: 1 }, recent: [{ userId, emoji: frame.emoji }] });
    for (const socket of this.ctx.getWebSockets()) {
      try {
        socket.send(text);
      } catch {
        // Closed while we were sending; its close event does the bookkeeping.
      }
    }
  }

  override async webSocketClose(ws: WebSocket): Promise<void> {
    this.listenerCount -= 1;
    try {
      ws.close(1000, "bye");
    } catch {
      // Already closed.
    }
  }
}

export default {
  async fetch(request: Request, env: NaiveEnv): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path.startsWith("/micro/")) return microFetch(request, env);
    const match = /^\/room\/([\w-]+)$/.exec(path);
    if (!match) return new Response("not found", { status: 404 });
    return env.NAIVE_ROOM.get(env.NAIVE_ROOM.idFromName(match[1]!)).fetch(request);
  },
} satisfies ExportedHandler<NaiveEnv>;
