// A host's Spaces: "Your Spaces" lists every state including drafts, the public profile list never shows drafts
// or cancelled Spaces, and both answer bad input in the contract's error shape.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { client, host, signup } from "./helpers.ts";
import { schedule } from "./spaces-support.ts";

async function hostWithOneOfEach() {
  const h = await host();
  const draft = (await h.call("POST", "/api/spaces", { title: "A draft" })).json.space.id as string;
  const upcoming = await schedule(h, "Coming up", 120);
  const cancelled = await schedule(h, "Called off", 60);
  await h.call("POST", `/api/spaces/${cancelled.id}/cancel`);
  const live = (await h.call("POST", "/api/spaces", { title: "On air" })).json.space.id as string;
  await h.call("POST", `/api/spaces/${live}/start`);
  const ended = (await h.call("POST", "/api/spaces", { title: "Done" })).json.space.id as string;
  await h.call("POST", `/api/spaces/${ended}/start`);
  await env.DB.prepare("UPDATE spaces SET peak_listeners = 42 WHERE id = ?").bind(ended).run();
  await h.call("POST", `/api/spaces/${ended}/end`);
  return { h, draft, upcoming: upcoming.id, cancelled: cancelled.id, live, ended };
}

describe("GET /api/me/spaces", () => {
  it("gives the host every Space they made, grouped, with peak listeners on the ended ones", async () => {
    const s = await hostWithOneOfEach();
    const res = await s.h.call("GET", "/api/me/spaces");
    expect(res.status).toBe(200);
    const ids = (list: { id: string }[]) => list.map((v) => v.id);
    expect(ids(res.json.drafts)).toEqual([s.draft]);
    expect(ids(res.json.upcoming)).toEqual([s.upcoming]);
    expect(ids(res.json.live)).toEqual([s.live]);
    expect(ids(res.json.past).sort()).toEqual([s.cancelled, s.ended].sort());
    expect(res.json.past.find((v: { id: string }) => v.id === s.ended)).toMatchObject({ state: "ended", peakListeners: 42 });
  });

  it("needs a session", async () => {
    const res = await client().call("GET", "/api/me/spaces");
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBeTypeOf("string");
  });
});

describe("GET /api/users/:handle/spaces", () => {
  it("shows anyone the host's live, upcoming and past Spaces, never drafts or cancelled ones", async () => {
    const s = await hostWithOneOfEach();
    const visitor = await signup();
    const res = await visitor.call("GET", `/api/users/${s.h.handle}/spaces`);
    expect(res.status).toBe(200);
    expect(res.json.live.map((v: { id: string }) => v.id)).toEqual([s.live]);
    expect(res.json.upcoming.map((v: { id: string }) => v.id)).toEqual([s.upcoming]);
    expect(res.json.past.map((v: { id: string }) => v.id)).toEqual([s.ended]);
    expect(res.json.drafts).toEqual([]);
    // Signed out sees the same.
    expect((await client().call("GET", `/api/users/${s.h.handle}/spaces`)).json.live).toHaveLength(1);
  });

  it("answers an unknown or malformed handle in the contract's error shape", async () => {
    const missing = await client().call("GET", "/api/users/nobody_here_x/spaces");
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("not_found");
    const bad = await client().call("GET", "/api/users/%20%3Cscript%3E/spaces");
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });
});
