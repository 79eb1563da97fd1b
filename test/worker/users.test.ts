// Profiles, the follow graph (exact counts under concurrency) and the host gate, through the real Worker and D1.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { addFollowers, client, host, signup } from "./helpers.ts";

describe("profiles and follows", () => {
  it("follows and unfollows with exact counts, visible on the profile", async () => {
    const ana = await signup();
    const ben = await signup();
    const followed = await ana.call("POST", `/api/users/${ben.handle}/follow`);
    expect(followed.json).toEqual({ followedByMe: true, followers: 1 });
    // Following twice is idempotent.
    expect((await ana.call("POST", `/api/users/${ben.handle}/follow`)).json.followers).toBe(1);
    const profile = await ana.call("GET", `/api/users/${ben.handle.toUpperCase()}`);
    expect(profile.json.user).toMatchObject({ handle: ben.handle, followers: 1, following: 0, followedByMe: true, isMe: false });
    expect((await ben.call("GET", `/api/users/${ana.handle}`)).json.user).toMatchObject({ following: 1, followedByMe: false });
    expect((await ana.call("DELETE", `/api/users/${ben.handle}/follow`)).json).toEqual({ followedByMe: false, followers: 0 });
  });

  it("keeps counts exact when many people follow and unfollow at once", async () => {
    const star = await signup();
    const fans = await Promise.all(Array.from({ length: 30 }, () => signup()));
    await Promise.all(fans.map((fan) => fan.call("POST", `/api/users/${star.handle}/follow`)));
    await Promise.all([
      ...fans.slice(0, 10).map((fan) => fan.call("DELETE", `/api/users/${star.handle}/follow`)),
      ...fans.slice(10, 20).map((fan) => fan.call("POST", `/api/users/${star.handle}/follow`)),
    ]);
    expect((await client().call("GET", `/api/users/${star.handle}`)).json.user.followers).toBe(20);
  });

  it("refuses following yourself, unknown people, bad handles and anonymous callers", async () => {
    const ana = await signup();
    const self = await ana.call("POST", `/api/users/${ana.handle}/follow`);
    expect(self.status).toBe(400);
    expect(self.json.error.code).toBe("cannot_follow_self");
    expect((await ana.call("POST", "/api/users/nobody_at_all/follow")).json.error.code).toBe("not_found");
    const bad = await ana.call("GET", "/api/users/x!");
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("invalid_input");
    expect((await client().call("POST", `/api/users/${ana.handle}/follow`)).status).toBe(401);
  });
});

describe("host gate", () => {
  it("refuses hosts below HOST_MIN_FOLLOWERS with how many are needed", async () => {
    const almost = await signup();
    await addFollowers(almost.id, Number(env.HOST_MIN_FOLLOWERS) - 1);
    const res = await almost.call("POST", "/api/spaces", { title: "Not yet" });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe("host_not_eligible");
    expect(res.json.error.message).toContain("600 followers");
    expect(res.json.error.message).toContain("1 more");
    expect((await almost.call("GET", "/api/me")).json.user.canHost).toBe(false);
  });

  it("creates a draft or scheduled Space at the threshold and stores it in D1", async () => {
    const h = await host();
    expect((await h.call("GET", "/api/me")).json.user.canHost).toBe(true);
    const draft = await h.call("POST", "/api/spaces", { title: "  Morning chat  ", topics: ["Music", "tech"] });
    expect(draft.status).toBe(201);
    expect(draft.json.space).toMatchObject({ title: "Morning chat", state: "draft", topics: ["music", "tech"], ticket: null });
    const at = new Date(Date.now() + 3600_000).toISOString();
    const scheduled = await h.call("POST", "/api/spaces", { title: "Later", scheduledFor: at });
    expect(scheduled.json.space).toMatchObject({ state: "scheduled", scheduledFor: at });
    const row = await env.DB.prepare("SELECT state, host_id FROM spaces WHERE id = ?").bind(scheduled.json.space.id).first();
    expect(row).toEqual({ state: "scheduled", host_id: h.id });
    expect((await client().call("GET", `/api/spaces/${draft.json.space.id}`)).json.space.title).toBe("Morning chat");
  });

  it("accepts epoch milliseconds for scheduledFor and an upper-case currency", async () => {
    const h = await host();
    const at = Date.now() + 2 * 3600_000;
    const res = await h.call("POST", "/api/spaces", { title: "Ms", scheduledFor: at, ticket: { priceCents: 500, currency: "USD", capacity: 5 } });
    expect(res.status).toBe(201);
    expect(res.json.space).toMatchObject({ scheduledFor: new Date(at).toISOString(), ticket: { currency: "usd", capacity: 5 } });
  });

  it.each([
    [{}, ["title"]],
    [{ title: "ok", ticket: { priceCents: 500, currency: "eur", capacity: 5 } }, ["ticket.currency"]],
    [{ title: "ok", scheduledFor: -5 }, ["scheduledFor"]],
    [{ title: "" }, ["title"]],
    [{ title: "x".repeat(101) }, ["title"]],
    [{ title: "ok", scheduledFor: "tomorrow" }, ["scheduledFor"]],
    [{ title: "ok", topics: ["aa", "bb", "cc", "dd"] }, ["topics"]],
    [{ title: "ok", topics: ["a"] }, ["topics.0"]],
    [{ title: "ok", ticket: { priceCents: 50, capacity: 10 } }, ["ticket.priceCents"]],
    [{ title: "ok", ticket: { priceCents: 500, capacity: 0 } }, ["ticket.capacity"]],
  ])("rejects %j naming the fields", async (body, fields) => {
    const h = await host();
    const res = await h.call("POST", "/api/spaces", body);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("invalid_input");
    expect(res.json.error.fields).toEqual(fields);
  });

  it("needs a session to create a Space", async () => {
    expect((await client().call("POST", "/api/spaces", { title: "x" })).status).toBe(401);
  });
});
