// The join path's saved round trips: GET /spaces/:id?join=1 carries a join ticket for a live Space, and an audio
// session may start with that ticket before the room socket opens; a ticket never stands in for someone else.
import { describe, expect, it } from "vitest";
import { client, signup } from "./helpers.ts";
import { audioPath } from "./audio-helpers.ts";
import { joinToken, liveSpace } from "./room-helpers.ts";

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
