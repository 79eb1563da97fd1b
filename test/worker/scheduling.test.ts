// Scheduling rules through the real Worker: the time window, the upcoming limit, edits and cancellation.
import { describe, expect, it, vi } from "vitest";
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

  it("lets only 10 of 12 racing schedule requests through", async () => {
    const h = await host();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => h.call("POST", "/api/spaces", { title: `Race ${i}`, scheduledFor: inMinutes(60 + i), topics: ["race"] })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    expect(results.filter((r) => r.status === 400).map((r) => r.json.error.code)).toEqual(["too_many_scheduled", "too_many_scheduled"]);
    const listed = await h.call("GET", `/api/spaces?state=scheduled&q=${h.handle}`);
    expect(listed.json.spaces).toHaveLength(10);
    expect(listed.json.spaces.every((s: { topics: string[] }) => s.topics.join() === "race")).toBe(true);
    // A draft (no time) is not limited.
    expect((await h.call("POST", "/api/spaces", { title: "Unscheduled" })).status).toBe(201);
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
    // Cancelling again is a harmless retry: same state, no second notice.
    const again = await h.call("POST", `/api/spaces/${space.id}/cancel`);
    expect(again.status).toBe(200);
    expect(await notificationsOf(fan)).toHaveLength(1);
    // A cancelled Space drops out of the upcoming count.
    const listed = await h.call("GET", "/api/spaces?state=scheduled&q=Will%20not%20happen");
    expect(listed.json.spaces).toEqual([]);
  });
});

describe("going live and cancelling through the room's routes", () => {
  it("the start route announces at once: followers hear it is live, reminder holders get their reminder", async () => {
    const h = await host();
    const follower = await signup();
    const fan = await signup();
    await follower.call("POST", `/api/users/${h.handle}/follow`);
    const space = await schedule(h, "Starting early");
    await fan.call("POST", `/api/spaces/${space.id}/reminder`);
    expect((await h.call("POST", `/api/spaces/${space.id}/start`)).status).toBe(200);
    await vi.waitFor(async () => expect(await notificationsOf(follower)).toHaveLength(1));
    expect((await notificationsOf(follower))[0]).toMatchObject({ kind: "space_live", spaceId: space.id });
    expect((await notificationsOf(fan))[0]).toMatchObject({ kind: "space_reminder", spaceId: space.id });
    const home = await follower.call("GET", "/api/home");
    expect(home.json.following[0].live.spaceId).toBe(space.id);
  });

  it("cancelling a live Space ends its room and leaves it cancelled", async () => {
    const h = await host();
    const space = await schedule(h, "Cut short");
    await h.call("POST", `/api/spaces/${space.id}/start`);
    const res = await h.call("POST", `/api/spaces/${space.id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.json.space).toMatchObject({ state: "cancelled", listenerCount: 0 });
    expect(res.json.space.endedAt).not.toBeNull();
    const listener = await signup();
    expect((await listener.call("POST", `/api/spaces/${space.id}/join`)).json.error.code).toBe("space_ended");
    expect((await h.call("POST", `/api/spaces/${space.id}/start`)).status).toBe(410);
  });

  it("cancels a ticketed Space with no tickets sold", async () => {
    const h = await host();
    const space = await schedule(h, "Paid talk", 60, { ticket: { priceCents: 500, currency: "usd", capacity: 10 } });
    const res = await h.call("POST", `/api/spaces/${space.id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.json.space.state).toBe("cancelled");
  });
});
