// Where a connected WebSocket's memory goes in local workerd: the same tiny Worker run under Miniflare (no wrangler,
// no inspector) holding sockets three ways — hibernatable in a Durable Object (ctx.acceptWebSocket), standard in a
// Durable Object (ws.accept()), in a plain Worker with no object — and, for scale, idle keep-alive HTTP connections;
// the workerd process's RSS growth per connection and what stays after they close. Part of `npm run bench`;
// `node bench/socket-memory.ts [sockets] [runs]` alone.
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { Agent, get } from "node:http";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { descendants, rssBytes } from "./proc-stats.ts";
import { sleep, spreadOf, type Spread } from "./stats.ts";

export type SocketMode = "do-hibernation" | "do-standard" | "worker" | "http-keepalive";
export type SocketMemory = { mode: SocketMode; sockets: number; bytesPerSocket: Spread; retainedAfterClosePerSocket: Spread };

const SCRIPT = `
import { DurableObject } from "cloudflare:workers";
export class Hold extends DurableObject {
  async fetch(request) {
    const { 0: client, 1: server } = new WebSocketPair();
    if (new URL(request.url).searchParams.get("mode") === "do-standard") server.accept();
    else this.ctx.acceptWebSocket(server);
    server.send('{"type":"snapshot"}');
    return new Response(null, { status: 101, webSocket: client });
  }
  webSocketMessage() {}
  webSocketClose(ws) { try { ws.close(1000, "bye"); } catch {} }
}
export default {
  async fetch(request, env) {
    const mode = new URL(request.url).searchParams.get("mode");
    if (mode === "http") return new Response("ok");
    if (mode !== "worker") return env.HOLD.get(env.HOLD.idFromName("room")).fetch(request);
    const { 0: client, 1: server } = new WebSocketPair();
    server.accept();
    server.send('{"type":"snapshot"}');
    return new Response(null, { status: 101, webSocket: client });
  },
};`;

type Held = { close(): void };

/** Idle keep-alive HTTP connections: one request each, its agent keeps the connection open. */
async function openHttp(base: string, count: number): Promise<Held[]> {
  const agents: Agent[] = [];
  for (let i = 0; i < count; i++) {
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      get(`${base}?mode=http`, { agent }, (response) => {
        response.resume();
        response.on("end", resolve);
      }).on("error", reject);
    });
    agents.push(agent);
  }
  return agents.map((agent) => ({ close: () => agent.destroy() }));
}

async function openSockets(base: string, mode: SocketMode, count: number): Promise<Held[]> {
  if (mode === "http-keepalive") return openHttp(base.replace(/^ws/, "http"), count);
  const sockets: WebSocket[] = [];
  let next = 0;
  const lane = async () => {
    while (next++ < count) {
      const ws = new WebSocket(`${base}?mode=${mode}`, { perMessageDeflate: false });
      await new Promise((resolve, reject) => {
        ws.once("message", resolve);
        ws.once("error", reject);
      });
      sockets.push(ws);
    }
  };
  await Promise.all(Array.from({ length: 20 }, lane));
  return sockets;
}

/** One fresh workerd: RSS growth per socket while `count` sockets connect, and what is left once they closed. */
async function once(mode: SocketMode, count: number): Promise<{ perSocket: number; retained: number }> {
  const before = new Set(descendants(process.pid).filter((p) => p.comm === "workerd").map((p) => p.pid));
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: SCRIPT,
      compatibilityDate: "2026-11-01",
      durableObjects: { HOLD: { className: "Hold", useSQLite: true } },
      port: 0,
    }),
  );
  try {
    const url = await mf.ready;
    const workerd = descendants(process.pid).find((p) => p.comm === "workerd" && !before.has(p.pid));
    if (!workerd) throw new Error("no workerd process under Miniflare");
    const base = `ws://${url.host}/`;
    // Warm the isolate and the object with one socket, so the baseline is a running Worker.
    for (const held of await openSockets(base, mode, 1)) held.close();
    await sleep(500);
    const rss0 = rssBytes(workerd.pid);
    const sockets = await openSockets(base, mode, count);
    await sleep(500);
    const rss1 = rssBytes(workerd.pid);
    for (const held of sockets) held.close();
    await sleep(1000);
    const rss2 = rssBytes(workerd.pid);
    return { perSocket: (rss1 - rss0) / count, retained: (rss2 - rss0) / count };
  } finally {
    await mf.dispose();
  }
}

export async function measureSocketMemory(count: number, runs: number, log: (line: string) => void): Promise<SocketMemory[]> {
  const out: SocketMemory[] = [];
  for (const mode of ["do-hibernation", "do-standard", "worker", "http-keepalive"] as const) {
    const samples = [];
    for (let i = 0; i < runs; i++) samples.push(await once(mode, count));
    const figure = { mode, sockets: count, bytesPerSocket: spreadOf(samples.map((s) => s.perSocket)), retainedAfterClosePerSocket: spreadOf(samples.map((s) => s.retained)) };
    log(`socket memory: ${mode}, ${count} sockets: ${(figure.bytesPerSocket.median / 1024).toFixed(1)} KiB each, ${(figure.retainedAfterClosePerSocket.median / 1024).toFixed(1)} KiB still held after they closed`);
    out.push(figure);
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await measureSocketMemory(Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 3), (line) => console.log(line));
  console.log(JSON.stringify(result, null, 2));
}
