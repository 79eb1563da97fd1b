// Helpers for room tests: a live Space with its host, and real WebSockets into the SpaceRoom through the Worker.
import { SELF } from "cloudflare:test";
import { parseServerMessage } from "../../worker/protocol/room-parse.ts";
import type { ServerMessage } from "../../worker/protocol/room.ts";
import { host, ORIGIN, signup, type Client } from "./helpers.ts";

export type Person = Client & { handle: string; id: string };

export type RoomSocket = {
  ws: WebSocket;
  /** Every frame received so far, in order. */
  frames: ServerMessage[];
  send: (frame: unknown) => void;
  /** The next frame (after those already taken) matching `type`, waiting up to `timeoutMs`. */
  next: <T extends ServerMessage["type"]>(
    type: T,
    where?: (frame: Extract<ServerMessage, { type: T }>) => boolean,
    timeoutMs?: number,
  ) => Promise<Extract<ServerMessage, { type: T }>>;
  /**
   * Every frame not yet taken that the room sent this socket before handling a ping sent now (it handles frames in
   * order). Frames caused by another socket, or sent later by a timer (reaction batches), need their own wait.
   */
  drain: (timeoutMs?: number) => Promise<ServerMessage[]>;
  closed: Promise<{ code: number }>;
};

export async function liveSpace(body: Record<string, unknown> = {}): Promise<{ host: Person; spaceId: string }> {
  const h = await host();
  const created = await h.call("POST", "/api/spaces", { title: "Live room test", ...body });
  if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.json)}`);
  const spaceId = created.json.space.id as string;
  const started = await h.call("POST", `/api/spaces/${spaceId}/start`);
  if (started.status !== 200) throw new Error(`start failed: ${JSON.stringify(started.json)}`);
  return { host: h, spaceId };
}

export async function joinToken(person: Client, spaceId: string): Promise<string> {
  const res = await person.call("POST", `/api/spaces/${spaceId}/join`);
  if (res.status !== 200) throw new Error(`join failed: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json.token as string;
}

/** Opens the upgrade with a given token, offered as the browser client does (`["spaces", token]`); returns the raw response. */
export function upgrade(spaceId: string, token: string): Promise<Response> {
  return SELF.fetch(`${ORIGIN}/api/spaces/${spaceId}/live`, {
    headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": `spaces, ${token}` },
  });
}

export function wrapSocket(ws: WebSocket): RoomSocket {
  const frames: ServerMessage[] = [];
  let taken = 0;
  const waiters = new Set<() => void>();
  let closedResolve!: (v: { code: number }) => void;
  const closed = new Promise<{ code: number }>((resolve) => (closedResolve = resolve));
  ws.addEventListener("message", (event) => {
    const parsed = parseServerMessage(event.data);
    if (!parsed.ok) throw new Error(`room sent a bad frame: ${String(event.data)}`);
    frames.push(parsed.message);
    for (const wake of waiters) wake();
  });
  ws.addEventListener("close", (event) => closedResolve({ code: event.code }));
  ws.accept();
  const socket: RoomSocket = {
    ws,
    frames,
    closed,
    send: (frame) => ws.send(typeof frame === "string" ? frame : JSON.stringify(frame)),
    next: (type, where = () => true, timeoutMs = 3000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          for (let i = taken; i < frames.length; i++) {
            const frame = frames[i]!;
            if (frame.type === type && where(frame as never)) {
              taken = i + 1;
              waiters.delete(check);
              clearTimeout(timer);
              resolve(frame as never);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${type} frame within ${timeoutMs} ms; got ${JSON.stringify(frames.slice(taken))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    drain: async (timeoutMs = 3000) => {
      // Not the exact '{"type":"ping"}' the runtime answers by itself: this ping goes through the room, after every
      // frame it handled before, so its pong comes after everything those frames sent to this socket.
      const from = taken;
      ws.send(JSON.stringify({ type: "ping", drain: true }));
      const answer = await socket.next("pong", () => true, timeoutMs);
      return frames.slice(from, frames.indexOf(answer, from));
    },
  };
  return socket;
}

/** Joins through the API and opens a real socket; resolves once the snapshot arrived. */
export async function connect(person: Client, spaceId: string): Promise<RoomSocket & { snapshot: Extract<ServerMessage, { type: "snapshot" }> }> {
  const res = await upgrade(spaceId, await joinToken(person, spaceId));
  if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade failed: ${res.status} ${await res.text()}`);
  const socket = wrapSocket(res.webSocket);
  const snapshot = await socket.next("snapshot");
  return Object.assign(socket, { snapshot });
}

export async function listener(): Promise<Person> {
  return signup();
}
