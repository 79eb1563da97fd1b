// Reminders end to end in workerd: setting them, the every-minute cron sending each exactly once, "X is live" notices.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { db } from "../../worker/db/client.ts";
import { writeDueNotices } from "../../worker/db/space-notices.ts";
import { host, signup } from "./helpers.ts";
import { goLive, MINUTE, notificationsOf, reminderSentAt, runCron, schedule } from "./spaces-support.ts";

describe("reminders", () => {
  it("can be set and removed on a scheduled Space only, with clear errors", async () => {
    const h = await host();
    const fan = await signup();
    const space = await schedule(h, "Morning show");
    expect((await fan.call("POST", `/api/spaces/${space.id}/reminder`)).json).toEqual({ reminded: true });
    expect((await fan.call("POST", `/api/spaces/${space.id}/reminder`)).status).toBe(200);
    expect((await fan.call("GET", `/api/spaces/${space.id}`)).json.space.remindedByMe).toBe(true);
    expect((await fan.call("DELETE", `/api/spaces/${space.id}/reminder`)).json).toEqual({ reminded: false });
    expect((await fan.call("GET", `/api/spaces/${space.id}`)).json.space.remindedByMe).toBe(false);

    const draft = (await h.call("POST", "/api/spaces", { title: "Right now" })).json.space;
    const onDraft = await fan.call("POST", `/api/spaces/${draft.id}/reminder`);
    expect(onDraft.status).toBe(409);
    expect(onDraft.json.error).toMatchObject({ code: "not_scheduled", message: "This Space has no scheduled time to remind you of." });
    await goLive(space.id);
    const onLive = await fan.call("POST", `/api/spaces/${space.id}/reminder`);
    expect(onLive.json.error.message).toMatch(/already live/);
    expect((await fan.call("POST", "/api/spaces/nosuchspace/reminder")).status).toBe(404);
    const anonymous = await signup();
    anonymous.cookie = "";
    expect((await anonymous.call("POST", `/api/spaces/${space.id}/reminder`)).status).toBe(401);
  });

  it("the cron reminds once when the scheduled time comes, and leaves Spaces not yet due alone", async () => {
    const h = await host();
    const fans = [await signup(), await signup()];
    const due = await schedule(h, "Due soon", 20);
    const later = await schedule(h, "Much later", 24 * 60);
    for (const fan of fans) {
      await fan.call("POST", `/api/spaces/${due.id}/reminder`);
      await fan.call("POST", `/api/spaces/${later.id}/reminder`);
    }
    await runCron();
    expect(await notificationsOf(fans[0]!)).toEqual([]);
    expect(await reminderSentAt(due.id, fans[0]!.id)).toBeNull();

    const dueAt = Date.parse(due.scheduledFor) + MINUTE;
    await runCron(dueAt);
    await runCron(dueAt + MINUTE);
    for (const fan of fans) {
      const notes = await notificationsOf(fan);
      expect(notes.map((n) => [n.kind, n.spaceId])).toEqual([["space_reminder", due.id]]);
      expect(notes[0]!.text).toContain("Due soon");
      expect(await reminderSentAt(due.id, fan.id)).toBe(dueAt);
      expect(await reminderSentAt(later.id, fan.id)).toBeNull();
    }
  });

  it("two overlapping cron runs send each due reminder exactly once", async () => {
    const h = await host();
    const fans = await Promise.all(Array.from({ length: 8 }, () => signup()));
    const space = await schedule(h, "Overlap check", 15);
    await Promise.all(fans.map((fan) => fan.call("POST", `/api/spaces/${space.id}/reminder`)));
    const at = Date.parse(space.scheduledFor) + 30_000;
    // Two sweeps at once, both through the guarded batch: together they may claim each reminder only once.
    const [first, second] = await Promise.all([writeDueNotices(db(env), at, 0), writeDueNotices(db(env), at, 0)]);
    const claimed = [...first.reminders, ...second.reminders].filter((r) => r.spaceId === space.id);
    expect(claimed.map((r) => r.userId).sort()).toEqual(fans.map((f) => f.id).sort());
    // And the Worker's scheduled handler, twice concurrently, adds nothing more.
    await Promise.all([runCron(at), runCron(at)]);
    const counts = await env.DB.prepare(
      "SELECT user_id, count(*) AS n FROM notifications WHERE space_id = ? GROUP BY user_id",
    )
      .bind(space.id)
      .all<{ user_id: string; n: number }>();
    expect(counts.results).toHaveLength(fans.length);
    expect(counts.results.every((row) => row.n === 1)).toBe(true);
  });

  it("overlapping cron runs through the scheduled handler notify once", async () => {
    const h = await host();
    const fans = await Promise.all(Array.from({ length: 5 }, () => signup()));
    const space = await schedule(h, "Handler overlap", 12);
    await Promise.all(fans.map((fan) => fan.call("POST", `/api/spaces/${space.id}/reminder`)));
    const at = Date.parse(space.scheduledFor);
    await Promise.all([runCron(at), runCron(at), runCron(at)]);
    for (const fan of fans) expect(await notificationsOf(fan)).toHaveLength(1);
  });

  it("starting early reminds at once; followers hear the host is live, once each", async () => {
    const h = await host();
    const follower = await signup();
    const followerWithReminder = await signup();
    const stranger = await signup();
    await follower.call("POST", `/api/users/${h.handle}/follow`);
    await followerWithReminder.call("POST", `/api/users/${h.handle}/follow`);
    const space = await schedule(h, "Early bird", 90);
    await followerWithReminder.call("POST", `/api/spaces/${space.id}/reminder`);
    await stranger.call("POST", `/api/spaces/${space.id}/reminder`);

    await goLive(space.id);
    await runCron();
    await runCron(Date.parse(space.scheduledFor));

    const kinds = async (user: typeof h) => (await notificationsOf(user)).map((n) => n.kind);
    expect(await kinds(follower)).toEqual(["space_live"]);
    expect(await kinds(followerWithReminder)).toEqual(["space_reminder"]);
    expect(await kinds(stranger)).toEqual(["space_reminder"]);
    expect((await notificationsOf(stranger))[0]!.text).toMatch(/is live now: Early bird/);
  });

  it("a host who starts late: the reminder came at the scheduled time, the follower still hears of the start", async () => {
    const h = await host();
    const fan = await signup();
    await fan.call("POST", `/api/users/${h.handle}/follow`);
    const space = await schedule(h, "Running late", 15);
    await fan.call("POST", `/api/spaces/${space.id}/reminder`);
    // The scheduled minute passed a little while ago and the cron ran then; the host is only starting now.
    await env.DB.prepare("UPDATE spaces SET scheduled_for = ? WHERE id = ?").bind(Date.now() - 5 * MINUTE, space.id).run();
    await runCron(Date.now() - 4 * MINUTE);
    expect((await notificationsOf(fan)).map((n) => n.kind)).toEqual(["space_reminder"]);
    await goLive(space.id);
    expect((await notificationsOf(fan)).map((n) => n.kind).sort()).toEqual(["space_live", "space_reminder"]);
  });

  it("the cron announces a start whose immediate announcement was lost", async () => {
    const h = await host();
    const follower = await signup();
    await follower.call("POST", `/api/users/${h.handle}/follow`);
    const space = await schedule(h, "Quiet start");
    await env.DB.prepare("UPDATE spaces SET state = 'live', started_at = ? WHERE id = ?").bind(Date.now(), space.id).run();
    expect(await notificationsOf(follower)).toEqual([]);
    await runCron();
    expect((await notificationsOf(follower)).map((n) => n.spaceId)).toEqual([space.id]);
  });
});

describe("notifications", () => {
  it("lists newest first with an unread count, and marks some or all read", async () => {
    const h = await host();
    const fan = await signup();
    const spaces = [await schedule(h, "One", 30), await schedule(h, "Two", 40), await schedule(h, "Three", 50)];
    for (const space of spaces) await fan.call("POST", `/api/spaces/${space.id}/reminder`);
    for (const space of spaces) await goLive(space.id);
    const list = await fan.call("GET", "/api/notifications");
    expect(list.json.unreadCount).toBe(3);
    expect(list.json.notifications.map((n: { text: string }) => n.text.split(": ")[1])).toEqual(["Three", "Two", "One"]);

    const firstId = list.json.notifications[0].id;
    const other = await signup();
    expect((await other.call("POST", "/api/notifications/read", { ids: [firstId] })).json.unreadCount).toBe(0);
    expect((await fan.call("GET", "/api/notifications")).json.unreadCount).toBe(3);

    expect((await fan.call("POST", "/api/notifications/read", { ids: [firstId] })).json.unreadCount).toBe(2);
    expect((await fan.call("POST", "/api/notifications/read", {})).json.unreadCount).toBe(0);
    const after = await fan.call("GET", "/api/notifications?limit=2");
    expect(after.json.notifications).toHaveLength(2);
    expect(after.json.notifications.every((n: { read: boolean }) => n.read)).toBe(true);
    expect((await fan.call("POST", "/api/notifications/read", { ids: ["bad id!"] })).status).toBe(400);
  });
});
