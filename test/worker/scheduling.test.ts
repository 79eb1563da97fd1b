// Scheduling rules through the real Worker: the time window, the upcoming limit, edits and cancellation.
import { describe, expect, it } from "vitest";
import { host, signup } from "./helpers.ts";
import { goLive, inMinutes, notificationsOf, schedule } from "./spaces-support.ts";

describe("scheduling", () => {
  it.each([
    ["in the past", -5, /at least 10 minutes ahead/],
    ["5 minutes ahead", 5, /at least 10 minutes ahead/],
    ["31 days ahead", 31 * 24 * 60, /at most 30 days ahead/],
  ])("refuses a time %s with a clear 400", async (_label, minutes, message) => {
    const h = await host();
    const res = await h.call("POST", "/api/spaces", { title: "Too soon or late", scheduledFor: inMinutes(minutes) });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: "invalid_schedule", fields: ["scheduledFor"] });
    expect(res.json.error.message).toMatch(message);
  });

  it("accepts 11 minutes and 29 days ahead", async () => {
    const h = await host();
    expect((await schedule(h, "Soon", 11)).scheduledFor).toBeTruthy();
    const late = await schedule(h, "Late", 29 * 24 * 60);
    expect(Date.parse(late.scheduledFor)).toBeGreaterThan(Date.now() + 28 * 24 * 3600_000);
  });

  it("refuses an eleventh upcoming Space", async () => {
    const h = await host();
    for (let i = 0; i < 10; i++) await schedule(h, `Episode ${i + 1}`, 60 + i);
    const res = await h.call("POST", "/api/spaces", { title: "Episode 11", scheduledFor: inMinutes(200) });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("too_many_scheduled");
    expect(res.json.error.message).toMatch(/at most 10 upcoming/);
  });

  it("lets the host edit title, time and topics of a scheduled Space", async () => {
    const h = await host();
    const space = await schedule(h, "First title", 60, { topics: ["music"] });
    const newTime = inMinutes(120);
    const res = await h.call("PATCH", `/api/spaces/${space.id}`, { title: "Second title", scheduledFor: newTime, topics: ["Tech", "news"] });
    expect(res.status).toBe(200);
    expect(res.json.space).toMatchObject({ title: "Second title", scheduledFor: newTime });
    expect([...res.json.space.topics].sort()).toEqual(["news", "tech"]);
    const bad = await h.call("PATCH", `/api/spaces/${space.id}`, { scheduledFor: inMinutes(2) });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("invalid_schedule");
    const tooMany = await h.call("PATCH", `/api/spaces/${space.id}`, { topics: ["a1", "b2", "c3", "d4"] });
    expect(tooMany.json.error.fields).toEqual(["topics"]);
    expect((await h.call("PATCH", `/api/spaces/${space.id}`, {})).json.error.code).toBe("invalid_input");
  });

  it("keeps edits to the host and to scheduled Spaces", async () => {
    const h = await host();
    const other = await signup();
    const space = await schedule(h, "Mine");
    const res = await other.call("PATCH", `/api/spaces/${space.id}`, { title: "Stolen" });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe("not_host");
    await goLive(space.id);
    const live = await h.call("PATCH", `/api/spaces/${space.id}`, { title: "Too late" });
    expect(live.status).toBe(409);
    expect(live.json.error.code).toBe("not_scheduled");
  });

  it("cancels a scheduled Space and tells the people who asked for a reminder", async () => {
    const h = await host();
    const fan = await signup();
    const space = await schedule(h, "Will not happen");
    expect((await fan.call("POST", `/api/spaces/${space.id}/reminder`)).status).toBe(200);
    expect((await fan.call("POST", `/api/spaces/${space.id}/cancel`)).json.error.code).toBe("not_host");
    const res = await h.call("POST", `/api/spaces/${space.id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.json.space.state).toBe("cancelled");
    const notes = await notificationsOf(fan);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ kind: "space_cancelled", spaceId: space.id, read: false });
    expect(notes[0]!.text).toContain("Will not happen");
    const again = await h.call("POST", `/api/spaces/${space.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe("not_cancellable");
    // A cancelled Space drops out of the upcoming count.
    const listed = await h.call("GET", "/api/spaces?state=scheduled&q=Will%20not%20happen");
    expect(listed.json.spaces).toEqual([]);
  });
});
