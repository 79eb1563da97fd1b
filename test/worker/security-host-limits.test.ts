// Limits per host: HOST_MAX_DRAFTS drafts and HOST_MAX_LIVE live Spaces at once, each refused with a clear 409.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index.ts";
import { host, ORIGIN, type Client } from "./helpers.ts";

/** A call straight into the Worker with small per-host limits, as the settings would give. */
async function callWithLimits(user: Client, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { Origin: ORIGIN, Cookie: user.cookie };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(`${ORIGIN}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
    { ...env, HOST_MAX_DRAFTS: "2", HOST_MAX_LIVE: "1" },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: response.status, json: (await response.json()) as any };
}

describe("limits per host", () => {
  it("refuses a draft past HOST_MAX_DRAFTS with 409 too_many_drafts", async () => {
    const h = await host();
    expect((await callWithLimits(h, "POST", "/api/spaces", { title: "Draft one" })).status).toBe(201);
    expect((await callWithLimits(h, "POST", "/api/spaces", { title: "Draft two" })).status).toBe(201);
    const third = await callWithLimits(h, "POST", "/api/spaces", { title: "Draft three" });
    expect(third.status).toBe(409);
    expect(third.json.error.code).toBe("too_many_drafts");
    expect(third.json.error.message).toContain("at most 2 drafts");
    // Scheduling is not a draft: it still works.
    expect((await callWithLimits(h, "POST", "/api/spaces", { title: "Later", scheduledFor: Date.now() + 3600_000 })).status).toBe(201);
  });

  it("refuses going live past HOST_MAX_LIVE with 409 too_many_live, and allows it again after the end", async () => {
    const h = await host();
    const first = (await callWithLimits(h, "POST", "/api/spaces", { title: "Live one" })).json.space;
    const second = (await callWithLimits(h, "POST", "/api/spaces", { title: "Live two" })).json.space;
    expect((await callWithLimits(h, "POST", `/api/spaces/${first.id}/start`)).status).toBe(200);
    // Starting the live one again is not a second live Space.
    expect((await callWithLimits(h, "POST", `/api/spaces/${first.id}/start`)).status).toBe(200);
    const refused = await callWithLimits(h, "POST", `/api/spaces/${second.id}/start`);
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe("too_many_live");
    expect((await callWithLimits(h, "GET", `/api/spaces/${second.id}`)).json.space.state).toBe("draft");
    expect((await callWithLimits(h, "POST", `/api/spaces/${first.id}/end`)).status).toBe(200);
    expect((await callWithLimits(h, "POST", `/api/spaces/${second.id}/start`)).status).toBe(200);
    expect((await callWithLimits(h, "POST", `/api/spaces/${second.id}/end`)).status).toBe(200);
  });
});
