// One load-generator process for `npm run bench` (forked by load-pool.ts): holds many `ws` client sockets, times joins,
// counts received frames and reactions, sends paced reactions and keeps receive timelines on a few probe sockets.
import WebSocket from "ws";
import type { LoadReply, LoadRequest, LoadTarget } from "./load-protocol.ts";

type Client = {
  ws: WebSocket;
  frames: number;
  reactionFrames: number;
  reactions: number;
  /** Probe sockets record [receivedAt, cumulative reactions] after every reactions frame. */
  timeline: number[] | null;
};

const now = () => performance.timeOrigin + performance.now();
const clients: Client[] = [];
let stopSending = false;
const EMOJI = ["👏", "😂", "💯", "❤️", "🔥", "🙏", "👋", "✊", "🤔", "✨"];

/** Sums the `counts` object of a reactions frame without a full JSON.parse: the client's CPU competes with the server. */
function reactionCount(text: string): number {
  const start = text.indexOf('"counts":{');
  if (start < 0) return 0;
  const end = text.indexOf("}", start);
  let total = 0;
  for (const part of text.slice(start + 10, end).split(",")) total += Number(part.slice(part.lastIndexOf(":") + 1)) || 0;
  return total;
}

type Joined = { ok: true; connectMs: number; openToSnapshotMs: number } | { ok: false; error: string };

function join(target: LoadTarget, keep: boolean): Promise<Joined> {
  return new Promise((resolve) => {
    const startedAt = now();
    let openedAt = startedAt;
    let settled = false;
    const ws = new WebSocket(target.url, { perMessageDeflate: false });
    const client: Client = { ws, frames: 0, reactionFrames: 0, reactions: 0, timeline: null };
    const finish = (result: Joined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!result.ok || !keep) ws.terminate();
      else clients.push(client);
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, error: "no snapshot within 10 s" }), 10_000);
    ws.on("open", () => (openedAt = now()));
    ws.on("unexpected-response", (_request, response) => finish({ ok: false, error: `HTTP ${response.statusCode}` }));
    ws.on("error", (error) => finish({ ok: false, error: error.message }));
    ws.on("message", (data) => {
      const text = data.toString();
      client.frames += 1;
      if (!settled) {
        if (text.startsWith('{"type":"snapshot"')) {
          const at = now();
          finish({ ok: true, connectMs: at - startedAt, openToSnapshotMs: at - openedAt });
        }
        return;
      }
      if (!text.startsWith('{"type":"reactions"')) return;
      client.reactionFrames += 1;
      client.reactions += reactionCount(text);
      client.timeline?.push(now(), client.reactions);
    });
  });
}

async function connectAll(targets: LoadTarget[], concurrency: number, keep: boolean): Promise<LoadReply> {
  const connectMs: number[] = [];
  const openToSnapshotMs: number[] = [];
  const errors: string[] = [];
  let next = 0;
  let failuresInARow = 0;
  const lane = async () => {
    // A server that refused 20 joins in a row is down: the rest would only wait out their timeouts.
    while (next < targets.length && failuresInARow < 20) {
      const result = await join(targets[next++]!, keep);
      if (result.ok) {
        failuresInARow = 0;
        connectMs.push(result.connectMs);
        openToSnapshotMs.push(result.openToSnapshotMs);
      } else {
        failuresInARow += 1;
        errors.push(result.error);
      }
    }
    while (next < targets.length) {
      next++;
      errors.push("not tried: the server refused 20 joins in a row");
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  return { kind: "joined", connectMs, openToSnapshotMs, errors: errors.slice(0, 5), failed: errors.length };
}

/** Sends `rate` reactions a second for `durationMs`, round-robin over this process's sockets (each sender stays slow). */
function sendReactions(rate: number, durationMs: number): Promise<LoadReply> {
  return new Promise((resolve) => {
    const sentAt: number[] = [];
    const startedAt = now();
    let sender = 0;
    stopSending = false;
    const pump = () => {
      const elapsed = Math.min(now() - startedAt, durationMs);
      const due = Math.floor((rate * elapsed) / 1000) - sentAt.length;
      for (let i = 0; i < due && clients.length > 0; i++) {
        const client = clients[sender++ % clients.length]!;
        sentAt.push(now());
        client.ws.send(`{"type":"react","emoji":"${EMOJI[sentAt.length % EMOJI.length]}"}`);
      }
      if (elapsed >= durationMs || stopSending) {
        clearInterval(timer);
        resolve({ kind: "sent", sentAt });
      }
    };
    const timer = setInterval(pump, 5);
  });
}

function handle(request: LoadRequest): Promise<LoadReply> | LoadReply {
  switch (request.op) {
    case "connect":
      return connectAll(request.targets, request.concurrency, request.keep);
    case "reset":
      clients.forEach((client, index) => {
        client.frames = client.reactionFrames = client.reactions = 0;
        client.timeline = index < request.probes ? [] : null;
      });
      return { kind: "ok" };
    case "counts": {
      let frames = 0;
      let reactionFrames = 0;
      let reactions = 0;
      for (const client of clients) {
        frames += client.frames;
        reactionFrames += client.reactionFrames;
        reactions += client.reactions;
      }
      return { kind: "counts", sockets: clients.length, frames, reactionFrames, reactions };
    }
    case "send":
      return sendReactions(request.rate, request.durationMs);
    case "stop-sending":
      stopSending = true;
      return { kind: "ok" };
    case "timelines":
      return { kind: "timelines", timelines: clients.flatMap((c) => (c.timeline ? [c.timeline] : [])) };
    case "close": {
      for (const client of clients.splice(0)) client.ws.terminate();
      return { kind: "ok" };
    }
    default: {
      const unreachable: never = request;
      return unreachable;
    }
  }
}

process.on("message", async (message: { id: number; request: LoadRequest }) => {
  const reply = await handle(message.request);
  process.send!({ id: message.id, reply });
});
process.on("disconnect", () => process.exit(0));
