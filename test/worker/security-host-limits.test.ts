// Limits per host: HOST_MAX_DRAFTS drafts and HOST_MAX_LIVE live Spaces at once, each refused with a clear 409, the live
// limit also when starts race.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index.ts";
import { roomFor } from "../../worker/space/space-room.ts";
import { host, ORIGIN, type Client } from "./helpers.ts";

/** A call straight into the Worker with small per-host limits, as the settings would give. */
async function callWithLimits(user: Client, method: string, path: string, body?: unknown, limits = { HOST_MAX_DRAFTS: "2", HOST_MAX_LIVE: "1" }) {
  const headers: Record<string, string> = { Origin: ORIGIN, Cookie: user.cookie };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(`${ORIGIN}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
    { ...env, ...limits },
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

  it("lets exactly one of 4 parallel starts go live under HOST_MAX_LIVE=1; the refused Spaces' rooms close and start later", async () => {
    const h = await host();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push((await callWithLimits(h, "POST", "/api/spaces", { title: `Race ${i}` }, { HOST_MAX_DRAFTS: "10", HOST_MAX_LIVE: "1" })).json.space.id);
    }
    const starts = await Promise.all(ids.map((id) => callWithLimits(h, "POST", `/api/spaces/${id}/start`)));
    expect(starts.map((s) => s.status).sort()).toEqual([200, 409, 409, 409]);
    expect(starts.filter((s) => s.status === 409).map((s) => s.json.error.code)).toEqual(["too_many_live", "too_many_live", "too_many_live"]);
    const live = await env.DB.prepare("SELECT count(*) AS n FROM spaces WHERE host_id = ? AND state = 'live'").bind(h.id).first<{ n: number }>();
    expect(live!.n).toBe(1);
    const winner = ids[starts.findIndex((s) => s.status === 200)]!;
    const refused = ids.filter((id) => id !== winner);
    // Nobody can reach a refused Space's room: it was opened for the start and closed again.
    for (const id of refused) expect(await roomFor(env, id).status()).toBeNull();
    expect((await callWithLimits(h, "POST", `/api/spaces/${winner}/end`)).status).toBe(200);
    expect((await callWithLimits(h, "POST", `/api/spaces/${refused[0]}/start`)).json.space.state).toBe("live");
  });
});
