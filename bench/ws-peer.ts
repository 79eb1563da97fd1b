// The plain Node `ws` peer for `npm run bench`: one process, one room, every reaction broadcast to every socket at once.
// Run as its own process (`node bench/ws-peer.ts <port>`) so its CPU and memory can be read from /proc.
import { WebSocketServer, type WebSocket } from "ws";

const port = Number(process.argv[2] ?? 0);
const server = new WebSocketServer({ host: "127.0.0.1", port, perMessageDeflate: false });
const userIds = new WeakMap<WebSocket, string>();

server.on("connection", (socket, request) => {
  const userId = new URL(request.url ?? "/", "http://peer").searchParams.get("user") ?? "anonymous";
  userIds.set(socket, userId);
  socket.send(JSON.stringify({ type: "snapshot", you: { userId, role: "listener" }, listenerCount: server.clients.size }));
  socket.on("message", (data, isBinary) => {
    if (isBinary) return;
    let frame: { type?: unknown; emoji?: unknown };
    try {
      frame = JSON.parse(data.toString()) as typeof frame;
    } catch {
      return;
    }
    if (frame.type !== "react" || typeof frame.emoji !== "string") return;
    const text = JSON.stringify({ type: "reactions", counts: { [frame.emoji]: 1 }, recent: [{ userId, emoji: frame.emoji }] });
    for (const client of server.clients) client.send(text);
  });
  socket.on("error", () => socket.terminate());
});

server.on("listening", () => {
  const address = server.address();
  console.log(JSON.stringify({ event: "ws_peer_listening", port: typeof address === "object" && address ? address.port : port }));
});
