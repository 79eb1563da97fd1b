// The typed Calls client against the real local SFU stand-in (no mocks): sessions, error mapping,
// per-track errors, call counting, and track status reported by getSession.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSfu, type RunningSfu } from "../../dev/sfu/server.ts";
import { createCallsClient, type CallsClient } from "../../worker/calls/client.ts";
import type { CallsCallObserver } from "../../worker/calls/types.ts";
import { createWeriftBrowser, publishOn, type WeriftBrowser } from "./support/werift-browser.ts";

const APP_ID = "unit-app";
const APP_SECRET = "unit-secret";
let sfu: RunningSfu;
let client: CallsClient;
const calls: Parameters<CallsCallObserver>[0][] = [];

beforeAll(async () => {
  sfu = await startSfu({ appId: APP_ID, appSecret: APP_SECRET });
  client = createCallsClient({ baseUrl: sfu.url, appId: APP_ID, appSecret: APP_SECRET, onCall: (call) => calls.push(call) });
});

afterAll(async () => {
  await sfu?.close();
});

/** Two fresh sessions; the publisher's werift browser publishes its mic as track "mic" (at `mid`) on the first. */
async function publishMic(publisher: WeriftBrowser) {
  const { sessionId: publisherId, mid } = await publishOn(client, publisher);
  const listenerSession = await client.newSession();
  if (!listenerSession.ok) throw new Error("newSession failed");
  return { publisherId, listenerId: listenerSession.value.sessionId, mid };
}

describe("calls client", () => {
  it("creates sessions with distinct ids and counts every call", async () => {
    const before = calls.length;
    const first = await client.newSession();
    const second = await client.newSession();
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    expect(first.value.sessionId).toMatch(/^[0-9a-f]{32}$/);
    expect(first.value.sessionId).not.toBe(second.value.sessionId);
    expect(calls.slice(before).map((call) => [call.method, call.httpMethod, call.path, call.status])).toEqual([
      ["newSession", "POST", `/apps/${APP_ID}/sessions/new`, 201],
      ["newSession", "POST", `/apps/${APP_ID}/sessions/new`, 201],
    ]);
  });

  it("maps a wrong app secret to a typed 401 error", async () => {
    const wrong = createCallsClient({ baseUrl: sfu.url, appId: APP_ID, appSecret: "not-the-secret" });
    expect(await wrong.newSession()).toEqual({
      ok: false,
      status: 401,
      errorCode: "unauthorized",
      errorDescription: "missing or wrong bearer app secret",
    });
  });

  it("maps an unknown session to a typed 404 error", async () => {
    const result = await client.getSession("0123456789abcdef0123456789abcdef");
    expect(result).toMatchObject({ ok: false, status: 404, errorCode: "session_not_found" });
  });

  it("maps an unreachable API to a network error instead of throwing", async () => {
    const closed = await startSfu({ appId: APP_ID, appSecret: APP_SECRET });
    await closed.close();
    const offline = createCallsClient({ baseUrl: closed.url, appId: APP_ID, appSecret: APP_SECRET });
    expect(await offline.newSession()).toMatchObject({ ok: false, status: 0, errorCode: "network_error" });
  });

  it("rejects a malformed request with the SFU's error code", async () => {
    const session = await client.newSession();
    if (!session.ok) throw new Error(session.errorDescription);
    const result = await client.newTracks(session.value.sessionId, { tracks: [{ location: "local", mid: "0", trackName: "mic" }] });
    expect(result).toMatchObject({ ok: false, status: 400, errorCode: "invalid_request" });
  });

  it("surfaces a failed pull as a per-track error inside a successful call", async () => {
    const session = await client.newSession();
    if (!session.ok) throw new Error(session.errorDescription);
    const result = await client.newTracks(session.value.sessionId, {
      tracks: [{ location: "remote", sessionId: session.value.sessionId, trackName: "nobody-publishes-this" }],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.trackErrors).toEqual([
      expect.objectContaining({ trackName: "nobody-publishes-this", errorCode: "track_not_found" }),
    ]);
    expect(result.value.tracks[0]?.errorCode).toBe("track_not_found");
  });

  it("reports a pulled track active before and while media flows, inactive once closed", async () => {
    const publisher = createWeriftBrowser();
    const listener = createWeriftBrowser();
    try {
      const { publisherId, listenerId, mid } = await publishMic(publisher);

      // The pull arrives before the publisher has sent any RTP: the SFU must keep it and forward later.
      const pulled = await client.newTracks(listenerId, { tracks: [{ location: "remote", sessionId: publisherId, trackName: "mic" }] });
      if (!pulled.ok) throw new Error(pulled.errorDescription);
      expect(pulled.value.requiresImmediateRenegotiation).toBe(true);
      const pulledMid = pulled.value.tracks[0]?.mid ?? "";
      const answer = await listener.answer(pulled.value.sessionDescription?.sdp ?? "");
      expect(await client.renegotiate(listenerId, { type: "answer", sdp: answer })).toEqual({ ok: true, value: {} });
      expect(await client.getSession(listenerId)).toEqual({
        ok: true,
        value: { tracks: [{ location: "remote", mid: pulledMid, trackName: "mic", sessionId: publisherId, status: "active" }] },
      });

      await Promise.all([publisher.connected(), listener.connected()]);
      publisher.startSending();
      await listener.waitForPackets(5, 5_000);
      const flowing = await client.getSession(listenerId);
      expect(flowing.ok && flowing.value.tracks[0]?.status).toBe("active");

      const closed = await client.closeTracks(publisherId, { tracks: [{ mid }], force: true });
      expect(closed.ok && closed.value.trackErrors).toEqual([]);
      // While the publisher sends 15 more packets (300 ms of audio), at most the 2 already in flight get through.
      const countAtClose = listener.packetsReceived();
      await publisher.waitForSent(publisher.packetsSent() + 15, 2_000);
      expect(listener.packetsReceived() - countAtClose).toBeLessThanOrEqual(2);
      const afterClose = await client.getSession(publisherId);
      expect(afterClose.ok && afterClose.value.tracks).toEqual([{ location: "local", mid, trackName: "mic", status: "inactive" }]);
    } finally {
      await Promise.all([publisher.close(), listener.close()]);
    }
  }, 20_000);

  it("closes a pull with the browser's offer, refuses a negotiated close without one, then pulls again on a new m-line", async () => {
    const publisher = createWeriftBrowser();
    const listener = createWeriftBrowser();
    try {
      const { publisherId, listenerId } = await publishMic(publisher);

      const pullMic = async () => {
        const pulled = await client.newTracks(listenerId, { tracks: [{ location: "remote", sessionId: publisherId, trackName: "mic" }] });
        if (!pulled.ok) throw new Error(pulled.errorDescription);
        const renegotiated = await client.renegotiate(listenerId, {
          type: "answer",
          sdp: await listener.answer(pulled.value.sessionDescription?.sdp ?? ""),
        });
        expect(renegotiated.ok).toBe(true);
        return pulled.value.tracks[0]?.mid ?? "";
      };
      const firstMid = await pullMic();

      // Calls needs the endpoint's offer when force is false.
      const offerless = await client.closeTracks(listenerId, { tracks: [{ mid: firstMid }], force: false });
      expect(offerless).toMatchObject({ ok: false, status: 400, errorCode: "invalid_request" });

      const offer = await listener.offerWithInactive(firstMid);
      const closed = await client.closeTracks(listenerId, { tracks: [{ mid: firstMid }], sessionDescription: { type: "offer", sdp: offer }, force: false });
      if (!closed.ok) throw new Error(closed.errorDescription);
      expect(closed.value.requiresImmediateRenegotiation).toBe(false);
      expect(closed.value.tracks).toEqual([{ mid: firstMid }]);
      expect(closed.value.sessionDescription?.type).toBe("answer");
      await listener.applyAnswer(closed.value.sessionDescription?.sdp ?? "");

      const again = await client.closeTracks(listenerId, { tracks: [{ mid: firstMid }], force: true });
      expect(again.ok && again.value.trackErrors).toEqual([
        { mid: firstMid, errorCode: "close_track_error", errorDescription: "Track doesn't exist or was already closed" },
      ]);

      const secondMid = await pullMic();
      expect(secondMid).not.toBe(firstMid);
      const state = await client.getSession(listenerId);
      expect(state.ok && state.value.tracks.map((track) => [track.mid, track.status])).toEqual([
        [firstMid, "inactive"],
        [secondMid, "active"],
      ]);
    } finally {
      await Promise.all([publisher.close(), listener.close()]);
    }
  }, 20_000);
});
