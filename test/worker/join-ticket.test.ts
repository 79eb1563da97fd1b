// The join path's saved round trips: GET /spaces/:id?join=1 carries a join ticket for a live Space, and an audio
// session may start with that ticket before the room socket opens; a ticket never stands in for someone else, and
// starts one audio session only (as it opens one socket only).
import { env, evictDurableObject } from "cloudflare:test";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { roomFor } from "../../worker/space/space-room.ts";
import { client, signup } from "./helpers.ts";
import { audioPath } from "./audio-helpers.ts";
import { joinToken, liveSpace, upgrade, wrapSocket } from "./room-helpers.ts";

describe("GET /spaces/:id?join=1", () => {
  it("returns the Space and a join ticket: the socket URL without the token, which travels as a subprotocol", async () => {
    const { spaceId } = await liveSpace();
    const ana = await signup();
    const res = await ana.call("GET", `/api/spaces/${spaceId}?join=1`);
    expect(res.status).toBe(200);
    expect(res.json.space.id).toBe(spaceId);
    expect(typeof res.json.join.token).toBe("string");
    const url = new URL(res.json.join.url);
    expect([url.protocol, url.pathname, url.search]).toEqual(["ws:", `/api/spaces/${spaceId}/live`, ""]);
    expect(res.json.join.protocols).toEqual(["spaces", res.json.join.token]);
  });

  it("leaves the ticket out when signed out, when not asked, and before the Space is live", async () => {
    const { host, spaceId } = await liveSpace();
    expect((await client().call("GET", `/api/spaces/${spaceId}?join=1`)).json.join).toBeUndefined();
    expect((await host.call("GET", `/api/spaces/${spaceId}`)).json.join).toBeUndefined();
    const draft = await host.call("POST", "/api/spaces", { title: "Not live yet" });
    const res = await host.call("GET", `/api/spaces/${draft.json.space.id}?join=1`);
    expect([res.status, res.json.space.state, res.json.join]).toEqual([200, "draft", undefined]);
  });
});

describe("an audio session started with the join ticket", () => {
  it("starts before the room socket opens", async () => {
    const { spaceId } = await liveSpace();
    const ana = await signup();
    const token = await joinToken(ana, spaceId);
    const res = await ana.call("POST", audioPath(spaceId, "session"), { joinToken: token });
    expect(res.status).toBe(201);
    expect(typeof res.json.sessionToken).toBe("string");
  });

  it("refuses someone else's ticket and a malformed body with the contract's errors", async () => {
    const { spaceId } = await liveSpace();
    const ana = await signup();
    const bea = await signup();
    const anasTicket = await joinToken(ana, spaceId);
    const stolen = await bea.call("POST", audioPath(spaceId, "session"), { joinToken: anasTicket });
    expect([stolen.status, stolen.json.error.code]).toEqual([403, "not_in_room"]);
    const bad = await bea.call("POST", audioPath(spaceId, "session"), { joinToken: 42 });
    expect([bad.status, bad.json.error.code]).toEqual([400, "invalid_input"]);
  });
});

describe("a join ticket starts one audio session", () => {
  it("refuses a replayed ticket with 401 token_used, also after the socket used it and from a stage role", async () => {
    const { host, spaceId } = await liveSpace();
    const ana = await signup();
    const token = await joinToken(ana, spaceId);
    expect((await ana.call("POST", audioPath(spaceId, "session"), { joinToken: token })).status).toBe(201);
    const replay = await ana.call("POST", audioPath(spaceId, "session"), { joinToken: token });
    expect([replay.status, replay.json.error.code]).toEqual([401, "token_used"]);

    // The socket's use is its own: the same ticket still opens the room once, and spends nothing for audio there.
    const socket = wrapSocket((await upgrade(spaceId, token)).webSocket!);
    expect((await socket.next("snapshot")).you.userId).toBe(ana.id);
    const afterSocket = await ana.call("POST", audioPath(spaceId, "session"), { joinToken: token });
    expect([afterSocket.status, afterSocket.json.error.code]).toEqual([401, "token_used"]);
    // Without a ticket the room's own answer (she is in it now) starts her sessions, as for any reconnect.
    expect((await ana.call("POST", audioPath(spaceId, "session"))).status).toBe(201);

    // The host's ticket is spent the same way: a copy of it starts no second session.
    const hostToken = await joinToken(host, spaceId);
    const hostSocket = wrapSocket((await upgrade(spaceId, hostToken)).webSocket!);
    await hostSocket.next("snapshot");
    expect((await host.call("POST", audioPath(spaceId, "session"), { joinToken: hostToken })).status).toBe(201);
    const hostReplay = await host.call("POST", audioPath(spaceId, "session"), { joinToken: hostToken });
    expect([hostReplay.status, hostReplay.json.error.code]).toEqual([401, "token_used"]);
  });

  it("lets exactly one of many parallel sessions with one ticket through", async () => {
    const { spaceId } = await liveSpace();
    const ana = await signup();
    const token = await joinToken(ana, spaceId);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => ana.call("POST", audioPath(spaceId, "session"), { joinToken: token })),
    );
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 401).map((answer) => answer.json.error.code)).toEqual(Array(5).fill("token_used"));
  });

  it("keeps the spent ticket through an eviction of the room", async () => {
    const { spaceId } = await liveSpace();
    const ana = await signup();
    const token = await joinToken(ana, spaceId);
    expect((await ana.call("POST", audioPath(spaceId, "session"), { joinToken: token })).status).toBe(201);
    await evictDurableObject(roomFor(env, spaceId));
    const replay = await ana.call("POST", audioPath(spaceId, "session"), { joinToken: token });
    expect([replay.status, replay.json.error.code]).toEqual([401, "token_used"]);
  });
});

describe("POST /join reads the session row in its own statement", () => {
  it("signs the ticket for the person only while their session row lives: after logout a copy of the cookie is a guest", async () => {
    const { spaceId } = await liveSpace();
    const ana = await signup();
    const stolen = client();
    stolen.cookie = ana.cookie;
    const before = await stolen.call("POST", `/api/spaces/${spaceId}/join`);
    expect([before.status, decodeJwt(before.json.token).sub, before.json.guest]).toEqual([200, ana.id, undefined]);
    expect((await ana.call("POST", "/api/auth/logout")).status).toBe(200);
    const after = await stolen.call("POST", `/api/spaces/${spaceId}/join`);
    expect(after.status).toBe(200);
    expect(decodeJwt(after.json.token).sub).not.toBe(ana.id);
    expect(decodeJwt(after.json.token).sub).toBe(after.json.guest.id);
    const missing = await ana.call("POST", "/api/spaces/no-such-space/join");
    expect([missing.status, missing.json.error.code]).toEqual([404, "not_found"]);
  });

  it("carries what the one read found: whether the host follows the person, and the host's own ticket", async () => {
    const { host, spaceId } = await liveSpace();
    const ana = await signup();
    const ben = await signup();
    expect((await host.call("POST", `/api/users/${ana.handle}/follow`)).status).toBeLessThan(300);
    const claims = async (person: typeof ana) => decodeJwt((await person.call("POST", `/api/spaces/${spaceId}/join`)).json.token);
    expect(await claims(ana)).toMatchObject({ sub: ana.id, h: ana.handle, sp: spaceId, hf: true });
    expect(await claims(ben)).toMatchObject({ sub: ben.id, h: ben.handle, sp: spaceId, hf: false });
    expect(await claims(host)).toMatchObject({ sub: host.id, sp: spaceId, hf: true });
  });
});
