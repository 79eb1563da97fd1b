// The stand-in SFU's WebSocket adapters against real WebRTC (a werift peer publishing real Opus) and
// a real WebSocket endpoint: decodable PCM packets carrying the tone, the schema's errors, idempotent
// close, and the same-URL retry for 5 s after a drop.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { startSfu, type RunningSfu } from "../../dev/sfu/server.ts";
import { createCallsClient, type CallsClient } from "../../worker/calls/client.ts";
import { adapterRequestErrorSchema, closeAdapterResponseSchema, newAdapterResponseSchema } from "../../worker/calls/schema/adapters.ts";
import { decodeAdapterPacket, type AdapterPacket } from "../../worker/media/adapter-packet.ts";
import { leftChannel, opusToneSource, rms, zeroCrossingFrequency } from "./support/opus-tone.ts";
import { createWeriftBrowser, publishOn } from "./support/werift-browser.ts";

const APP_ID = "adapter-app";
const APP_SECRET = "adapter-secret";
let sfu: RunningSfu;
let client: CallsClient;
const events: { event: string; fields: Record<string, unknown> }[] = [];
const publisher = createWeriftBrowser();
let publisherId = "";

/** Calls the stand-in and holds every reply to the published schema's shape for its status. */
async function adapters(action: "new" | "close", body: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${sfu.url}/apps/${APP_ID}/adapters/websocket/${action}`, {
    method: "POST",
    headers: { authorization: `Bearer ${APP_SECRET}`, "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const json = await response.json();
  const schema = response.status === 400 || response.status === 406
    ? adapterRequestErrorSchema
    : action === "new" ? newAdapterResponseSchema : closeAdapterResponseSchema;
  expect([200, 400, 406, 503]).toContain(response.status);
  expect(schema.safeParse(json).success).toBe(true);
  return { status: response.status, json };
}

/** A WebSocket endpoint that records each connection's URL and decoded packets. */
async function startEndpoint() {
  const connections: { url: string; socket: WebSocket; packets: AdapterPacket[]; closed: Promise<number> }[] = [];
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((resolve) => server.once("listening", resolve));
  server.on("connection", (socket, request) => {
    const packets: AdapterPacket[] = [];
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    socket.on("message", (data: Buffer) => {
      const packet = decodeAdapterPacket(new Uint8Array(data));
      if (packet) packets.push(packet);
    });
    connections.push({ url: request.url ?? "", socket, packets, closed });
  });
  const port = (server.address() as AddressInfo).port;
  return { url: `ws://127.0.0.1:${port}/media/adapter?token=t0k3n`, connections, server };
}

const waitFor = <T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> =>
  vi.waitFor(
    () => {
      const value = check();
      if (!value) throw new Error(`still waiting for ${what}`);
      return value;
    },
    { timeout: timeoutMs, interval: 20 },
  );

beforeAll(async () => {
  sfu = await startSfu({ appId: APP_ID, appSecret: APP_SECRET, onAdapterEvent: (event, fields) => events.push({ event, fields }) });
  client = createCallsClient({ baseUrl: sfu.url, appId: APP_ID, appSecret: APP_SECRET });
  publisherId = (await publishOn(client, publisher)).sessionId;
  await publisher.connected();
  publisher.startSending(opusToneSource(440));
});

afterAll(async () => {
  await publisher.close();
  await sfu.close();
});

describe("stand-in SFU WebSocket adapters", () => {
  it("streams the published track as 20 ms packets of 48 kHz stereo PCM carrying the tone, until closed", async () => {
    const endpoint = await startEndpoint();
    try {
      const created = await adapters("new", {
        tracks: [{ location: "remote", sessionId: publisherId, trackName: "mic", endpoint: endpoint.url, outputCodec: "pcm" }],
      });
      expect(created.status).toBe(200);
      const [item] = created.json.tracks;
      expect(item).toEqual({ trackName: "mic", adapterId: expect.any(String), endpoint: endpoint.url });
      const connection = await waitFor(() => endpoint.connections[0], "the adapter to dial");
      expect(connection.url).toBe("/media/adapter?token=t0k3n");
      await waitFor(() => connection.packets.length >= 50, "a second of packets");

      const packets = connection.packets.slice(0, 50);
      for (const [index, packet] of packets.entries()) {
        expect(packet.payload.length).toBe(960 * 2 * 2);
        if (index > 0) {
          expect(packet.sequenceNumber).toBe(packets[index - 1]!.sequenceNumber + 1);
          expect(packet.timestamp).toBe(packets[index - 1]!.timestamp + 960);
        }
      }
      // Skip the decoder's first frames (Opus pre-skip ramps in), then the tone must be there.
      const samples = leftChannel(concat(packets.slice(10).map((packet) => packet.payload)));
      expect(rms(samples)).toBeGreaterThan(0.1);
      expect(zeroCrossingFrequency(samples)).toBeGreaterThan(420);
      expect(zeroCrossingFrequency(samples)).toBeLessThan(460);
      expect(events.some((entry) => entry.event === "sfu_adapter_first_packet" && entry.fields.adapterId === item.adapterId)).toBe(true);

      const closed = await adapters("close", { tracks: [{ adapterId: item.adapterId }] });
      expect(closed.status).toBe(200);
      expect(closed.json.tracks).toEqual([{ adapterId: item.adapterId, bytesProcessed: expect.any(Number) }]);
      expect(closed.json.tracks[0].bytesProcessed).toBeGreaterThanOrEqual(50 * 3840);
      expect(await connection.closed).toBe(1000);
      expect(sfu.openAdapters()).toEqual([]);

      // Close is idempotent: a closed or unknown adapter succeeds without a byte statistic.
      const again = await adapters("close", { tracks: [{ adapterId: item.adapterId }, { adapterId: "never-existed" }] });
      expect(again).toEqual({ status: 200, json: { tracks: [{ adapterId: item.adapterId }, { adapterId: "never-existed" }] } });
    } finally {
      endpoint.server.close();
    }
  });

  it("reports item-level errors, 200 when one item succeeds and 503 when all fail", async () => {
    const endpoint = await startEndpoint();
    try {
      const good = { location: "remote", sessionId: publisherId, trackName: "mic", endpoint: endpoint.url, outputCodec: "pcm" };
      const mixed = await adapters("new", {
        tracks: [good, { ...good, trackName: "no-such-track" }, { ...good, sessionId: "no-such-session" }],
      });
      expect(mixed.status).toBe(200);
      expect(mixed.json.tracks[0].adapterId).toEqual(expect.any(String));
      expect(mixed.json.tracks[1]).toMatchObject({ trackName: "no-such-track", errorCode: "track_not_found" });
      expect(mixed.json.tracks[2]).toMatchObject({ trackName: "mic", errorCode: "session_not_found" });
      expect(mixed.json.tracks[2].adapterId).toBeUndefined();
      await adapters("close", { tracks: [{ adapterId: mixed.json.tracks[0].adapterId }] });

      const unreachable = await closedPortUrl();
      const allFailed = await adapters("new", { tracks: [{ ...good, endpoint: unreachable }, { ...good, trackName: "no-such-track" }] });
      expect(allFailed.status).toBe(503);
      expect(allFailed.json.tracks.map((track: { errorCode: string }) => track.errorCode)).toEqual(["websocket_handshake_failed", "track_not_found"]);
    } finally {
      endpoint.server.close();
    }
  });

  it("rejects undecodable bodies with 400 decoding_error and invalid parameters with 406 invalid_params", async () => {
    const track = { location: "remote", sessionId: publisherId, trackName: "mic", endpoint: "wss://example.invalid/x", outputCodec: "pcm" };
    const cases: [unknown, number][] = [
      ["{not json", 400],
      [[], 400],
      [{ tracks: "mic" }, 400],
      [{ tracks: [{ ...track, trackName: 7 }] }, 400],
      [{}, 406],
      [{ tracks: [] }, 406],
      [{ tracks: [track, track, track, track, track] }, 406],
      [{ tracks: [{ ...track, endpoint: "https://example.invalid/x" }] }, 406],
      [{ tracks: [{ ...track, sessionId: undefined }] }, 406],
      [{ tracks: [{ ...track, outputCodec: "mp3" }] }, 406],
      [{ tracks: [{ ...track, location: "sideways" }] }, 406],
    ];
    for (const [body, status] of cases) {
      const reply = await adapters("new", body);
      expect({ body, status: reply.status }).toEqual({ body, status });
      expect(reply.json.errorCode).toBe(status === 400 ? "decoding_error" : "invalid_params");
    }
    expect((await adapters("close", { tracks: [{ adapterId: "" }] })).status).toBe(406);
    expect((await adapters("close", { tracks: [{ adapterId: 1 }] })).status).toBe(400);
    expect((await adapters("close", { tracks: Array.from({ length: 5 }, () => ({ adapterId: "a" })) })).status).toBe(406);
  });

  it("redials the same URL after a drop", async () => {
    const endpoint = await startEndpoint();
    try {
      const created = await adapters("new", {
        tracks: [{ location: "remote", sessionId: publisherId, trackName: "mic", endpoint: endpoint.url, outputCodec: "pcm" }],
      });
      const adapterId = created.json.tracks[0].adapterId;
      const first = await waitFor(() => endpoint.connections[0], "the first connection");
      await waitFor(() => first.packets.length > 0, "packets on the first connection");
      first.socket.terminate();
      const second = await waitFor(() => endpoint.connections[1], "the adapter to redial");
      expect(second.url).toBe(first.url);
      await waitFor(() => second.packets.length > 0, "packets after the redial");
      expect(second.packets[0]!.sequenceNumber).toBeGreaterThan(first.packets.at(-1)!.sequenceNumber);
      await adapters("close", { tracks: [{ adapterId }] });
    } finally {
      endpoint.server.close();
    }
  });

  it("keeps retrying the same URL while the endpoint refuses, and gives up after 5 s", async () => {
    const endpoint = await startEndpoint();
    const created = await adapters("new", {
      tracks: [{ location: "remote", sessionId: publisherId, trackName: "mic", endpoint: endpoint.url, outputCodec: "pcm" }],
    });
    const adapterId = created.json.tracks[0].adapterId;
    const first = await waitFor(() => endpoint.connections[0], "the first connection");
    // Swap the endpoint for one that refuses every upgrade on the same port, then drop the socket.
    const port = Number(new URL(endpoint.url).port);
    const refusals: string[] = [];
    endpoint.server.close();
    first.socket.terminate();
    const refuser = await listenRefusing(port, refusals);
    try {
      await waitFor(() => events.find((entry) => entry.event === "sfu_adapter_gave_up" && entry.fields.adapterId === adapterId), "the adapter to give up", 15_000);
      expect(refusals.length).toBeGreaterThan(1);
      expect(new Set(refusals)).toEqual(new Set(["/media/adapter?token=t0k3n"]));
      expect(sfu.openAdapters().map((adapter) => adapter.adapterId)).not.toContain(adapterId);
      expect((await adapters("close", { tracks: [{ adapterId }] })).json.tracks).toEqual([{ adapterId }]);
    } finally {
      refuser.close();
    }
  }, 20_000);
});

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) out.set(chunk, (offset += chunk.length) - chunk.length);
  return out;
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return `ws://127.0.0.1:${port}/gone`;
}

async function listenRefusing(port: number, urls: string[]): Promise<Server> {
  const server = createServer((_request, response) => response.writeHead(503).end());
  server.on("upgrade", (request, socket) => {
    urls.push(request.url ?? "");
    socket.end("HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n");
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return server;
}
