// The Calls client's adapter calls against the real SFU stand-in (no canned answers): a published track's adapter
// dials our endpoint and is closed with its byte count, a second close is still a success, an unknown session fails
// as 503 all_failed with the item's reason.
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { startSfu, type RunningSfu } from "../../dev/sfu/server.ts";
import { createCallsClient, type CallsClient } from "../../worker/calls/client.ts";
import { opusToneSource } from "./support/opus-tone.ts";
import { createWeriftBrowser, publishOn } from "./support/werift-browser.ts";

const APP_ID = "adapters-client-app";
const APP_SECRET = "adapters-client-secret";
let sfu: RunningSfu;
let client: CallsClient;
let endpoint: WebSocketServer;
let endpointUrl = "";
const dialled: { url: string; bytes: number; closed: boolean }[] = [];
const publisher = createWeriftBrowser();
let publisherId = "";

beforeAll(async () => {
  sfu = await startSfu({ appId: APP_ID, appSecret: APP_SECRET });
  client = createCallsClient({ baseUrl: sfu.url, appId: APP_ID, appSecret: APP_SECRET });
  endpoint = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((resolve) => endpoint.once("listening", resolve));
  endpoint.on("connection", (socket, request) => {
    const entry = { url: request.url ?? "", bytes: 0, closed: false };
    dialled.push(entry);
    socket.on("message", (data: Buffer) => (entry.bytes += data.byteLength));
    socket.on("close", () => (entry.closed = true));
  });
  endpointUrl = `ws://127.0.0.1:${(endpoint.address() as AddressInfo).port}/api/spaces/s1/media/adapter?token=abc`;
  publisherId = (await publishOn(client, publisher)).sessionId;
  await publisher.connected();
  publisher.startSending(opusToneSource(440));
});

afterAll(async () => {
  await publisher.close();
  await sfu.close();
  endpoint.close();
});

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("calls client adapters against the SFU stand-in", () => {
  it("opens an egress adapter that dials the endpoint, closes it with a byte count, and closes it again as a success", async () => {
    const created = await client.newAdapters({
      tracks: [{ location: "remote", sessionId: publisherId, trackName: "mic", endpoint: endpointUrl, outputCodec: "pcm" }],
    });
    if (!created.ok) throw new Error(created.errorDescription);
    expect(created.value.itemErrors).toEqual([]);
    const [adapter] = created.value.adapters;
    expect(adapter).toEqual({ adapterId: expect.any(String), trackName: "mic", endpoint: endpointUrl });
    await until(() => (dialled[0]?.bytes ?? 0) > 10 * 3840, "packets at the endpoint");
    expect(dialled[0]?.url).toBe("/api/spaces/s1/media/adapter?token=abc");

    const closed = await client.closeAdapters({ tracks: [{ adapterId: adapter!.adapterId }] });
    expect(closed.ok && closed.value.closed).toEqual([{ adapterId: adapter!.adapterId, alreadyClosed: false, bytesProcessed: expect.any(Number) }]);
    await until(() => dialled[0]!.closed, "the adapter socket to close");
    const again = await client.closeAdapters({ tracks: [{ adapterId: adapter!.adapterId }] });
    expect(again).toEqual({ ok: true, value: { closed: [{ adapterId: adapter!.adapterId, alreadyClosed: false }], itemErrors: [] } });
  });

  it("fails as 503 all_failed with the item's reason when no adapter can be made", async () => {
    const result = await client.newAdapters({
      tracks: [{ location: "remote", sessionId: "0123456789abcdef0123456789abcdef", trackName: "mic", endpoint: endpointUrl, outputCodec: "pcm" }],
    });
    expect(result).toMatchObject({ ok: false, status: 503, errorCode: "all_failed", itemErrors: [{ trackName: "mic", errorCode: "session_not_found" }] });
  });
});
