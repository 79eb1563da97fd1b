// Contract: every request the Calls client sends and every answer the SFU stand-in gives must fit the schemas written
// from Cloudflare's published Realtime OpenAPI description (worker/calls/schema/sessions.ts), so the client and the
// fake cannot drift from the real API together. Runs the real stand-in and a werift "browser".
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { startSfu, type RunningSfu } from "../../dev/sfu/server.ts";
import { createCallsClient, type CallsClient } from "../../worker/calls/client.ts";
import { callsErrorBodySchema, sessionEndpoints } from "../../worker/calls/schema/sessions.ts";
import { createWeriftBrowser, publishOn } from "./support/werift-browser.ts";

type SessionMethod = keyof typeof sessionEndpoints;
type Exchange = { httpMethod: string; path: string; requestBody: unknown; status: number; responseBody: unknown };

const APP_ID = "contract-app";
const APP_SECRET = "contract-secret";
let sfu: RunningSfu;
let client: CallsClient;
const exchanges: Exchange[] = [];

/** The client's own fetch, recording what went over the wire in both directions. */
async function recordingFetch(input: string, init: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  const text = await response.clone().text();
  exchanges.push({
    httpMethod: init.method ?? "GET",
    path: new URL(input).pathname.replace(/^\/v1/, ""),
    requestBody: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
    status: response.status,
    responseBody: text ? JSON.parse(text) : undefined,
  });
  return response;
}

function endpointOf(exchange: Exchange): SessionMethod {
  const entries = Object.entries(sessionEndpoints) as [SessionMethod, (typeof sessionEndpoints)[SessionMethod]][];
  const found = entries.find(([, spec]) => spec.httpMethod === exchange.httpMethod && spec.path.test(exchange.path));
  if (!found) throw new Error(`${exchange.httpMethod} ${exchange.path} is not an endpoint of the published API`);
  return found[0];
}

function issues(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`);
}

/** Every schema violation in the recorded traffic, named by endpoint and direction. */
function violations(recorded: Exchange[]): string[] {
  return recorded.flatMap((exchange) => {
    const name = endpointOf(exchange);
    const spec = sessionEndpoints[name];
    const found: string[] = [];
    if (spec.request) found.push(...issues(spec.request, exchange.requestBody ?? {}).map((text) => `${name} request ${text}`));
    else if (exchange.requestBody !== undefined) found.push(`${name} request: the spec defines no body`);
    if (exchange.status < 400) {
      if (exchange.status !== spec.status) found.push(`${name} answered ${exchange.status}, the spec says ${spec.status}`);
      found.push(...issues(spec.response, exchange.responseBody).map((text) => `${name} response ${text}`));
    } else {
      found.push(...issues(callsErrorBodySchema, exchange.responseBody).map((text) => `${name} error ${text}`));
    }
    return found;
  });
}

beforeAll(async () => {
  sfu = await startSfu({ appId: APP_ID, appSecret: APP_SECRET });
  client = createCallsClient({ baseUrl: sfu.url, appId: APP_ID, appSecret: APP_SECRET, fetch: recordingFetch });
});

afterAll(async () => {
  await sfu?.close();
});

describe("Calls contract (published OpenAPI)", () => {
  it("a whole publish, pull, renegotiate, inspect and close round fits the published shapes both ways", async () => {
    const publisher = createWeriftBrowser();
    const listener = createWeriftBrowser();
    try {
      const { sessionId: publisherId, mid } = await publishOn(client, publisher);
      const listenerSession = await client.newSession();
      if (!listenerSession.ok) throw new Error("newSession failed");
      const listenerId = listenerSession.value.sessionId;

      const pulled = await client.newTracks(listenerId, {
        tracks: [
          { location: "remote", sessionId: publisherId, trackName: "mic" },
          { location: "remote", sessionId: publisherId, trackName: "nobody-publishes-this" },
        ],
      });
      if (!pulled.ok) throw new Error(pulled.errorDescription);
      const pulledMid = pulled.value.tracks[0]?.mid ?? "";
      await client.renegotiate(listenerId, { type: "answer", sdp: await listener.answer(pulled.value.sessionDescription?.sdp ?? "") });
      await client.getSession(listenerId);

      const dropOffer = await listener.offerWithInactive(pulledMid);
      const dropped = await client.closeTracks(listenerId, { tracks: [{ mid: pulledMid }], sessionDescription: { type: "offer", sdp: dropOffer }, force: false });
      if (!dropped.ok) throw new Error(dropped.errorDescription);
      await listener.applyAnswer(dropped.value.sessionDescription?.sdp ?? "");
      await client.closeTracks(publisherId, { tracks: [{ mid }, { mid: "99" }], force: true });
      await client.getSession(publisherId);
      await client.getSession("0123456789abcdef0123456789abcdef");

      const covered = new Set(exchanges.map(endpointOf));
      expect([...covered].sort()).toEqual(Object.keys(sessionEndpoints).sort());
      expect(exchanges.some((exchange) => exchange.status >= 400)).toBe(true);
      expect(violations(exchanges)).toEqual([]);
    } finally {
      await Promise.all([publisher.close(), listener.close()]);
    }
  }, 20_000);

  it("names the drift when a shape leaves the published API", () => {
    const session = "/apps/a/sessions/s";
    const drifted: Exchange[] = [
      { httpMethod: "GET", path: session, requestBody: undefined, status: 200, responseBody: { tracks: [{ mid: "0", status: "waiting" }] } },
      { httpMethod: "PUT", path: `${session}/tracks/close`, requestBody: { tracks: [{ mid: "0" }], force: false }, status: 200, responseBody: { tracks: [{ mid: "0", trackName: "mic" }], requiresImmediateRenegotiation: true } },
      { httpMethod: "POST", path: `${session}/tracks/new`, requestBody: { tracks: [{ location: "remote", trackName: "mic" }] }, status: 200, responseBody: {} },
      { httpMethod: "POST", path: "/apps/a/sessions/new", requestBody: { sessionDescripton: { type: "offer", sdp: "v=0" } }, status: 200, responseBody: { sessionId: "x" } },
      { httpMethod: "PUT", path: `${session}/renegotiate`, requestBody: {}, status: 409, responseBody: { error: "conflict" } },
    ];
    expect(violations(drifted)).toEqual([
      "getSession response tracks.0.status: Invalid option: expected one of \"active\"|\"inactive\"|\"initializing\"",
      "closeTracks request (body): force: false needs the endpoint's offer",
      "closeTracks response tracks.0: Unrecognized key: \"trackName\"",
      "closeTracks response requiresImmediateRenegotiation: Invalid input: expected false",
      "newTracks request tracks.0: a remote track needs the owner's sessionId",
      "newSession request (body): Unrecognized key: \"sessionDescripton\"",
      "newSession answered 200, the spec says 201",
      "renegotiate error errorCode: Invalid input: expected string, received undefined",
      "renegotiate error errorDescription: Invalid input: expected string, received undefined",
      "renegotiate error (body): Unrecognized key: \"error\"",
    ]);
  });
});
