// The live room end to end: start, join tokens, real WebSockets into the SpaceRoom DO, stage changes, end.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signJoinToken } from "../../worker/auth/tokens.ts";
import { client, signup } from "./helpers.ts";
import { connect, joinToken, liveSpace, upgrade } from "./room-helpers.ts";

describe("going live and joining", () => {
  it("starts a Space, gives a join token, and the first frame is a snapshot", async () => {
    const { host, spaceId } = await liveSpace();
    const view = await host.call("GET", `/api/spaces/${spaceId}`);
    expect(view.json.space.state).toBe("live");
    expect(view.json.space.startedAt).not.toBeNull();

    const ana = await signup();
    const join = await ana.call("POST", `/api/spaces/${spaceId}/join`);
    expect(join.status).toBe(200);
    expect(join.json.url).toBe(`ws://localhost/api/spaces/${spaceId}/live`);
    expect(join.json.protocols).toEqual(["spaces", join.json.token]);

    const hostSocket = await connect(host, spaceId);
    expect(hostSocket.snapshot.you).toMatchObject({ userId: host.id, role: "host" });
    expect(hostSocket.snapshot.participants).toEqual([
      expect.objectContaining({ userId: host.id, role: "host", connected: true, track: null }),
    ]);
    const anaSocket = await connect(ana, spaceId);
    expect(anaSocket.snapshot).toMatchObject({
      type: "snapshot",
      space: { id: spaceId, hostId: host.id, speakPolicy: "everyone" },
      you: { userId: ana.id, role: "listener", handRaised: false, invited: false },
      hands: [],
      pin: null,
      listenerCount: 2,
    });
    expect((await hostSocket.next("update", (f) => f.listenerCount === 2)).listenerCount).toBe(2);
  });

  it("lets only the host start or end, and refuses joins before start and after end", async () => {
    const { host, spaceId } = await liveSpace();
    const ana = await signup();
    expect((await ana.call("POST", `/api/spaces/${spaceId}/end`)).json.error.code).toBe("not_host");
    const start = await ana.call("POST", `/api/spaces/${spaceId}/start`);
    expect([start.status, start.json.error.code]).toEqual([403, "not_host"]);

    const draft = await host.call("POST", "/api/spaces", { title: "Not yet" });
    const notLive = await ana.call("POST", `/api/spaces/${draft.json.space.id}/join`);
    expect([notLive.status, notLive.json.error.code]).toEqual([409, "space_not_live"]);

    const listenerSocket = await connect(ana, spaceId);
    const ended = await host.call("POST", `/api/spaces/${spaceId}/end`);
    expect(ended.json.space).toMatchObject({ state: "ended", listenerCount: 0, peakListeners: 1 });
    expect(ended.json.space.endedAt).not.toBeNull();
    expect(await listenerSocket.next("ended")).toEqual({ type: "ended", reason: "host_ended" });
    expect((await listenerSocket.closed).code).toBe(4000);

    const late = await ana.call("POST", `/api/spaces/${spaceId}/join`);
    expect([late.status, late.json.error.code]).toEqual([410, "space_ended"]);
    expect((await host.call("POST", `/api/spaces/${spaceId}/start`)).json.error.code).toBe("space_ended");
  });

  it("ends from the host's end frame: everyone gets ended, D1 records the end", async () => {
    const { host, spaceId } = await liveSpace();
    const hostSocket = await connect(host, spaceId);
    const listenerSocket = await connect(await signup(), spaceId);
    hostSocket.send({ type: "end" });
    expect(await listenerSocket.next("ended")).toEqual({ type: "ended", reason: "host_ended" });
    expect(await hostSocket.next("ended")).toEqual({ type: "ended", reason: "host_ended" });
    await Promise.all([hostSocket.closed, listenerSocket.closed]);
    const view = await host.call("GET", `/api/spaces/${spaceId}`);
    expect(view.json.space).toMatchObject({ state: "ended", peakListeners: 2, listenerCount: 0 });
  });

  it("refuses forged, expired, foreign and missing tokens with a 401 and no upgrade", async () => {
    const { spaceId } = await liveSpace();
    const other = await liveSpace();
    const ana = await signup();
    const foreign = await joinToken(ana, other.spaceId);
    const forged = await signJoinToken("another-secret-0123456789abcdef", {
      userId: ana.id, handle: ana.handle, displayName: "Ana", spaceId, hostFollows: true,
    });
    const now = Math.floor(Date.now() / 1000);
    const header = btoa(JSON.stringify({ alg: "HS256" })).replace(/=+$/, "");
    const claims = { sub: ana.id, iss: "spaces", aud: "spaces-join", sp: spaceId, iat: now - 120, exp: now - 60 };
    const body = btoa(JSON.stringify(claims)).replace(/=+$/, "");
    const key = await crypto.subtle.importKey(
      "raw", new TextEncoder().encode(env.SESSION_SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["sign"],
    );
    const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${header}.${body}`)));
    const expired = `${header}.${body}.${btoa(String.fromCharCode(...sig)).replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_")}`;
    for (const token of [forged, foreign, expired, "", "not.a.token"]) {
      const res = await upgrade(spaceId, token);
      expect(res.status).toBe(401);
      expect(res.webSocket).toBeNull();
      expect(((await res.json()) as any).error.code).toBe("invalid_token");
    }
  });

  it("joins someone without a session only as a guest, and needs an upgrade header to connect", async () => {
    const { spaceId } = await liveSpace();
    const anonymous = await client().call("POST", `/api/spaces/${spaceId}/join`);
    expect([anonymous.status, anonymous.json.guest?.id]).toEqual([200, expect.stringMatching(/^guest-/)]);
    const plain = await client().call("GET", `/api/spaces/${spaceId}/live?token=x`);
    expect([plain.status, plain.json.error.code]).toEqual([426, "upgrade_required"]);
  });
});
