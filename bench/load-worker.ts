// One load-generator process for `npm run bench` (forked by load-pool.ts with its index): holds many `ws` client
// sockets, times joins (POST /join included where the target has one), counts what every socket sees of each sender,
// sends paced reactions under its own emoji and keeps receive timelines on a few probe sockets.
import WebSocket from "ws";
import { REACTION_EMOJI } from "../worker/protocol/room.ts";
import type { LoadReply, LoadRequest, LoadTarget, PerEmoji } from "./load-protocol.ts";

type Client = {
  ws: WebSocket;
  frames: number;
  reactionFrames: number;
  /** Reactions seen, by emoji index (= by sender stream). */
  seen: number[];
  /** Probe sockets record [receivedAt, emojiIndex, cumulative of that emoji] for every emoji in every reactions frame. */
  timeline: number[] | null;
  /** Probe sockets also record when every frame arrived (reactions, counts, anything): the per-second frame cap. */
  frameTimes: number[] | null;
};

const index = Number(process.argv[2] ?? 0);
const processes = Number(process.argv[3] ?? 1);
const EMOJI_INDEX = new Map<string, number>(REACTION_EMOJI.map((emoji, i) => [emoji, i]));
/** This process's sender streams: its own slice of the emoji, so listeners can tell the senders apart. */
const perProcess = Math.max(1, Math.floor(REACTION_EMOJI.length / processes));
const MY_EMOJI = REACTION_EMOJI.slice(index * perProcess, (index + 1) * perProcess);

const now = () => performance.timeOrigin + performance.now();
const clients: Client[] = [];
let stopSending = false;

/** Reads the `counts` object of a reactions frame without a full JSON.parse: the client's CPU competes with the server. */
function countFrame(text: string, client: Client, at: number): void {
  const start = text.indexOf('"counts":{');
  if (start < 0) return;
  const end = text.indexOf("}", start);
  for (const part of text.slice(start + 10, end).split(",")) {
    const colon = part.lastIndexOf(":");
    const emoji = EMOJI_INDEX.get(part.slice(1, colon - 1));
    const n = Number(part.slice(colon + 1)) || 0;
    if (emoji === undefined || n === 0) continue;
    client.seen[emoji]! += n;
    client.timeline?.push(at, emoji, client.seen[emoji]!);
  }
}

type Joined = { ok: true; connectMs: number; joinPostMs: number; openToSnapshotMs: number } | { ok: false; error: string };

/** The subprotocols to offer, after the target's POST /join when it has one (its token opens one socket, within 60 s). */
async function socketProtocols(target: LoadTarget): Promise<string[]> {
  if (!target.join) return target.protocols ?? [];
  const response = await fetch(target.join.url, { method: "POST", headers: target.join.headers, body: "{}" });
  const body = (await response.json().catch(() => null)) as { protocols?: unknown } | null;
  const protocols = body?.protocols;
  if (!response.ok || !Array.isArray(protocols) || !protocols.every((p) => typeof p === "string")) {
    throw new Error(`POST /join answered ${response.status}`);
  }
  return protocols as string[];
}

async function join(target: LoadTarget, keep: boolean): Promise<Joined> {
  const startedAt = now();
  let protocols: string[];
  try {
    protocols = await socketProtocols(target);
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  const postedAt = now();
  return new Promise((resolve) => {
    let openedAt = postedAt;
    let settled = false;
    const ws = new WebSocket(target.url, protocols, { perMessageDeflate: false });
    const client: Client = { ws, frames: 0, reactionFrames: 0, seen: new Array(REACTION_EMOJI.length).fill(0), timeline: null, frameTimes: null };
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
          finish({ ok: true, connectMs: at - startedAt, joinPostMs: postedAt - startedAt, openToSnapshotMs: at - openedAt });
        }
        return;
      }
      // One receive time for the frame and the reactions it carries, so the two timelines line up.
      const at = now();
      client.frameTimes?.push(at);
      if (!text.startsWith('{"type":"reactions"')) return;
      client.reactionFrames += 1;
      countFrame(text, client, at);
    });
  });
}

async function connectAll(targets: LoadTarget[], concurrency: number, keep: boolean): Promise<LoadReply> {
  const reply = { kind: "joined" as const, connectMs: [] as number[], joinPostMs: [] as number[], openToSnapshotMs: [] as number[], errors: [] as string[], failed: 0 };
  let next = 0;
  let failuresInARow = 0;
  const lane = async () => {
    // A server that refused 20 joins in a row is down: the rest would only wait out their timeouts.
    while (next < targets.length && failuresInARow < 20) {
      const result = await join(targets[next++]!, keep);
      if (result.ok) {
        failuresInARow = 0;
        reply.connectMs.push(result.connectMs);
        if (targets[0]?.join) reply.joinPostMs.push(result.joinPostMs);
        reply.openToSnapshotMs.push(result.openToSnapshotMs);
      } else {
        failuresInARow += 1;
        reply.errors.push(result.error);
      }
    }
    while (next < targets.length) {
      next++;
      reply.errors.push("not tried: the server refused 20 joins in a row");
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  reply.failed = reply.errors.length;
  reply.errors = reply.errors.slice(0, 5);
  return reply;
}

/** Sends `rate` reactions a second for `durationMs`, round-robin over this process's sockets and its emoji. */
function sendReactions(rate: number, durationMs: number): Promise<LoadReply> {
  return new Promise((resolve) => {
    const sentAt: Record<string, number[]> = Object.fromEntries(MY_EMOJI.map((emoji) => [emoji, []]));
    let sent = 0;
    const startedAt = now();
    stopSending = false;
    const pump = () => {
      const elapsed = Math.min(now() - startedAt, durationMs);
      // Processes send out of phase with each other, so at 1/s every reaction meets a quiet room.
      const due = Math.floor((rate * elapsed) / 1000 + index / processes) - sent;
      for (let i = 0; i < due && clients.length > 0; i++) {
        const client = clients[sent % clients.length]!;
        const emoji = MY_EMOJI[sent % MY_EMOJI.length]!;
        sent += 1;
        sentAt[emoji]!.push(now());
        client.ws.send(`{"type":"react","emoji":"${emoji}"}`);
      }
      if (elapsed >= durationMs || stopSending) {
        clearInterval(timer);
        resolve({ kind: "sent", sentAt });
      }
    };
    const timer = setInterval(pump, 5);
  });
}

function counts(sent: PerEmoji): LoadReply {
  const cap = REACTION_EMOJI.map((emoji) => sent[emoji] ?? 0);
  let frames = 0;
  let reactionFrames = 0;
  let delivered = 0;
  let seen = 0;
  for (const client of clients) {
    frames += client.frames;
    reactionFrames += client.reactionFrames;
    for (let e = 0; e < cap.length; e++) {
      seen += client.seen[e]!;
      delivered += Math.min(client.seen[e]!, cap[e]!);
    }
  }
  return { kind: "counts", sockets: clients.length, frames, reactionFrames, delivered, seen };
}

function handle(request: LoadRequest): Promise<LoadReply> | LoadReply {
  switch (request.op) {
    case "connect":
      return connectAll(request.targets, request.concurrency, request.keep);
    case "reset":
      clients.forEach((client, i) => {
        client.frames = client.reactionFrames = 0;
        client.seen.fill(0);
        client.timeline = i < request.probes ? [] : null;
        client.frameTimes = i < request.probes ? [] : null;
      });
      return { kind: "ok" };
    case "counts":
      return counts(request.sent);
    case "send":
      return sendReactions(request.rate, request.durationMs);
    case "stop-sending":
      stopSending = true;
      return { kind: "ok" };
    case "timelines":
      return {
        kind: "timelines",
        timelines: clients.flatMap((c) => (c.timeline ? [c.timeline] : [])),
        frameTimes: clients.flatMap((c) => (c.frameTimes ? [c.frameTimes] : [])),
      };
    case "trim": {
      for (const client of clients.splice(request.keep)) client.ws.terminate();
      return { kind: "ok" };
    }
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
