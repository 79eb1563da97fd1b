// One small Durable Object per Space for the people who look at its page without being in the room (a ticket
// holder waiting, a visitor, a host on a draft): hibernatable sockets that hear "changed" when the state moves.
import { DurableObject } from "cloudflare:workers";
import type { SpaceState } from "../protocol/api.ts";
import type { WatchMessage } from "../protocol/watch.ts";
import { errorResponse } from "../protocol/errors.ts";

export class SpaceWatch extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Keep-alive pings are answered without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'));
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return errorResponse(426, "upgrade_required", "This address only accepts WebSocket connections.");
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Tells every watcher; returns how many sockets it reached. */
  changed(state: SpaceState): number {
    const text = JSON.stringify({ type: "changed", state } satisfies WatchMessage);
    let reached = 0;
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(text);
        reached++;
      } catch {
        // A socket closing as we send is simply gone.
      }
    }
    return reached;
  }

  override webSocketMessage(): void {
    // Watchers only listen; anything but the auto-answered ping is ignored.
  }

  override webSocketClose(ws: WebSocket): void {
    try {
      ws.close(1000, "bye");
    } catch {
      // already closed
    }
  }
}
