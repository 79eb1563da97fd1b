// The Calls client's WebSocket adapter calls against the answers Cloudflare's OpenAPI description gives as examples
// (realtime-api-2024-05-21.yaml): partial success, 503 all failed, 400/406, idempotent close; plus request checks.
import { describe, expect, it } from "vitest";
import { createCallsClient } from "../../worker/calls/client.ts";
import type { CallsCallObserver } from "../../worker/calls/types.ts";

type Seen = { url: string; method: string; auth: string | null; body: unknown };

/** A client whose transport answers with one recorded Calls response and remembers what was sent. */
function clientAnswering(status: number, body: unknown) {
  const seen: Seen[] = [];
  const calls: Parameters<CallsCallObserver>[0][] = [];
  const client = createCallsClient({
    baseUrl: "https://rtc.example/v1",
    appId: "app1",
    appSecret: "secret1",
    onCall: (call) => calls.push(call),
    fetch: async (url, init) => {
      seen.push({ url, method: String(init.method), auth: new Headers(init.headers).get("authorization"), body: JSON.parse(String(init.body)) });
      return new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    },
  });
  return { client, seen, calls };
}

const egress = (trackName: string) => ({
  location: "remote" as const,
  sessionId: "2a45361d5fd7cc14eface0587c276c94",
  trackName,
  endpoint: "wss://example.com/stream-audio",
  outputCodec: "pcm" as const,
});

describe("newAdapters", () => {
  it("posts the egress request to adapters/websocket/new with the app secret and returns the adapter", async () => {
    const { client, seen, calls } = clientAnswering(200, {
      tracks: [{ trackName: "mic-track", adapterId: "2b2ff7d2e17a4d638be5b6e3075ed6ce", endpoint: "wss://example.com/stream-audio" }],
    });
    const result = await client.newAdapters({ tracks: [egress("mic-track")] });
    expect(result).toEqual({
      ok: true,
      value: {
        adapters: [{ adapterId: "2b2ff7d2e17a4d638be5b6e3075ed6ce", trackName: "mic-track", endpoint: "wss://example.com/stream-audio" }],
        itemErrors: [],
      },
    });
    expect(seen).toEqual([
      { url: "https://rtc.example/v1/apps/app1/adapters/websocket/new", method: "POST", auth: "Bearer secret1", body: { tracks: [egress("mic-track")] } },
    ]);
    expect(calls.map((c) => [c.method, c.status])).toEqual([["newAdapters", 200]]);
  });

  it("keeps the successes of a partial success and reports the failed item by track name", async () => {
    const { client } = clientAnswering(200, {
      tracks: [
        { trackName: "mic-track", adapterId: "a1", endpoint: "wss://example.com/stream-audio" },
        { trackName: "camera-track", errorCode: "websocket_handshake_failed", errorDescription: "The handshake with the provided endpoint failed." },
      ],
    });
    const result = await client.newAdapters({ tracks: [egress("mic-track"), egress("camera-track")] });
    expect(result.ok && result.value.adapters.map((a) => a.adapterId)).toEqual(["a1"]);
    expect(result.ok && result.value.itemErrors).toEqual([
      { trackName: "camera-track", errorCode: "websocket_handshake_failed", errorDescription: "The handshake with the provided endpoint failed." },
    ]);
  });

  it("turns a 503 into all_failed with each item's reason", async () => {
    const { client } = clientAnswering(503, {
      tracks: [{ trackName: "mic-track", errorCode: "websocket_handshake_failed", errorDescription: "The handshake with the provided endpoint failed." }],
    });
    const result = await client.newAdapters({ tracks: [egress("mic-track")] });
    expect(result).toMatchObject({ ok: false, status: 503, errorCode: "all_failed" });
    expect(!result.ok && result.itemErrors.map((e) => [e.trackName, e.errorCode])).toEqual([["mic-track", "websocket_handshake_failed"]]);
  });

  it("passes the SFU's 400 decoding_error and 406 invalid_params through as typed errors", async () => {
    const decoding = clientAnswering(400, { errorCode: "decoding_error", errorDescription: "The request could not be decoded." });
    expect(await decoding.client.newAdapters({ tracks: [egress("mic")] })).toEqual({
      ok: false, status: 400, errorCode: "decoding_error", errorDescription: "The request could not be decoded.", itemErrors: [],
    });
    const invalid = clientAnswering(406, { errorCode: "invalid_params", errorDescription: "Expecting at most 4 track in the request" });
    expect(await invalid.client.newAdapters({ tracks: [egress("mic")] })).toMatchObject({ ok: false, status: 406, errorCode: "invalid_params" });
  });

  it("refuses a request the schema forbids before spending an API call", async () => {
    const { client, seen } = clientAnswering(200, { tracks: [] });
    const five = await client.newAdapters({ tracks: ["a", "b", "c", "d", "e"].map(egress) });
    expect(five).toMatchObject({ ok: false, status: 406, errorCode: "invalid_params" });
    const httpEndpoint = await client.newAdapters({ tracks: [{ ...egress("mic"), endpoint: "https://example.com/x" }] });
    expect(httpEndpoint).toMatchObject({ ok: false, errorCode: "invalid_params" });
    expect(!httpEndpoint.ok && httpEndpoint.errorDescription).toContain("ws:// or wss://");
    const noSession = await client.newAdapters({ tracks: [{ ...egress("mic"), sessionId: "" }] });
    expect(noSession).toMatchObject({ ok: false, errorCode: "invalid_params" });
    expect(seen).toHaveLength(0);
  });

  it("flags an answer that does not match the schema instead of trusting it", async () => {
    const { client } = clientAnswering(200, { tracks: [{ trackName: 7, adapterId: ["x"] }] });
    expect(await client.newAdapters({ tracks: [egress("mic")] })).toMatchObject({ ok: false, status: 200, errorCode: "invalid_response" });
    const html = clientAnswering(502, "<html>bad gateway</html>");
    expect(await html.client.newAdapters({ tracks: [egress("mic")] })).toMatchObject({ ok: false, status: 502, errorCode: "http_502" });
  });

  it("maps an unreachable API to a network error", async () => {
    const client = createCallsClient({
      appId: "app1",
      appSecret: "secret1",
      fetch: async () => {
        throw new TypeError("connect ECONNREFUSED");
      },
    });
    expect(await client.newAdapters({ tracks: [egress("mic")] })).toMatchObject({ ok: false, status: 0, errorCode: "network_error", itemErrors: [] });
  });
});

describe("closeAdapters", () => {
  it("closes with the byte statistic when the SFU gives one", async () => {
    const { client, seen } = clientAnswering(200, { tracks: [{ adapterId: "4e66a9d5a35e4a0899f6f8d0b63a35c1", bytesProcessed: 83492 }] });
    const result = await client.closeAdapters({ tracks: [{ adapterId: "4e66a9d5a35e4a0899f6f8d0b63a35c1" }] });
    expect(result).toEqual({
      ok: true,
      value: { closed: [{ adapterId: "4e66a9d5a35e4a0899f6f8d0b63a35c1", alreadyClosed: false, bytesProcessed: 83492 }], itemErrors: [] },
    });
    expect(seen[0]?.url).toBe("https://rtc.example/v1/apps/app1/adapters/websocket/close");
  });

  it("treats adapter_not_found as already closed, even when it is the only item and the status is 503", async () => {
    const gone = { adapterId: "a1", errorCode: "adapter_not_found", errorDescription: "Adapter not found" };
    for (const status of [200, 503]) {
      const { client } = clientAnswering(status, { tracks: [gone] });
      expect(await client.closeAdapters({ tracks: [{ adapterId: "a1" }] })).toEqual({
        ok: true,
        value: { closed: [{ adapterId: "a1", alreadyClosed: true }], itemErrors: [] },
      });
    }
  });

  it("keeps a failed item for retry beside a successful close, and all_failed when every close failed", async () => {
    const partial = clientAnswering(200, {
      tracks: [{ adapterId: "a1" }, { adapterId: "a2", errorCode: "internal_error", errorDescription: "Backend error" }],
    });
    const result = await partial.client.closeAdapters({ tracks: [{ adapterId: "a1" }, { adapterId: "a2" }] });
    expect(result.ok && result.value).toEqual({
      closed: [{ adapterId: "a1", alreadyClosed: false }],
      itemErrors: [{ adapterId: "a2", errorCode: "internal_error", errorDescription: "Backend error" }],
    });
    const failed = clientAnswering(503, { tracks: [{ adapterId: "a1", errorCode: "internal_error", errorDescription: "Backend error" }] });
    const all = await failed.client.closeAdapters({ tracks: [{ adapterId: "a1" }] });
    expect(all).toMatchObject({ ok: false, status: 503, errorCode: "all_failed", itemErrors: [{ adapterId: "a1", errorCode: "internal_error" }] });
  });

  it("refuses an empty adapter id before sending", async () => {
    const { client, seen } = clientAnswering(200, { tracks: [] });
    expect(await client.closeAdapters({ tracks: [{ adapterId: "" }] })).toMatchObject({ ok: false, status: 406, errorCode: "invalid_params" });
    expect(seen).toHaveLength(0);
  });
});
