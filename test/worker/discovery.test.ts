// Discovery through the real Worker: search by title word and host handle, the topic filter, and GET /api/home.
import { describe, expect, it } from "vitest";
import { host, signup } from "./helpers.ts";
import { goLive, schedule } from "./spaces-support.ts";

const ids = (spaces: { id: string }[]) => spaces.map((s) => s.id);

describe("discovery", () => {
  it("finds a Space by a word of its title or its host's handle, whatever the case", async () => {
    const h = await host();
    const space = await schedule(h, "Zebra crossings of Lisbon");
    await schedule(h, "Something else entirely");
    const byWord = await signup().then((u) => u.call("GET", "/api/spaces?q=LISBON"));
    expect(byWord.status).toBe(200);
    expect(ids(byWord.json.spaces)).toEqual([space.id]);
    const byHandle = await h.call("GET", `/api/spaces?q=${h.handle}`);
    expect(ids(byHandle.json.spaces)).toHaveLength(2);
    expect((await h.call("GET", "/api/spaces?q=zzznothing")).json.spaces).toEqual([]);
    // LIKE wildcards in the query are literal characters, not patterns.
    expect((await h.call("GET", "/api/spaces?q=%25")).json.spaces).toEqual([]);
  });

  it("filters by topic and by state, live ones ordered by listeners", async () => {
    const h1 = await host();
    const h2 = await host();
    const jazz = await schedule(h1, "Late jazz", 60, { topics: ["jazzfans", "music"] });
    const talk = await schedule(h2, "Morning talk", 60, { topics: ["newsdesk"] });
    const byTopic = await h1.call("GET", "/api/spaces?topic=JazzFans");
    expect(ids(byTopic.json.spaces)).toEqual([jazz.id]);
    expect(byTopic.json.spaces[0].topics.sort()).toEqual(["jazzfans", "music"]);
    expect((await h1.call("GET", "/api/spaces?topic=no%20spaces")).status).toBe(400);

    await goLive(jazz.id, 5);
    await goLive(talk.id, 50);
    const live = await h1.call("GET", "/api/spaces?state=live");
    const mine = ids(live.json.spaces).filter((id) => id === jazz.id || id === talk.id);
    expect(mine).toEqual([talk.id, jazz.id]);
    expect(ids((await h1.call("GET", "/api/spaces?state=scheduled&topic=newsdesk")).json.spaces)).toEqual([]);
  });

  it("GET /api/home gives the ring row, live Spaces of followed hosts and upcoming reminders in one call", async () => {
    const liveHost = await host();
    const quietHost = await host();
    const viewer = await signup();
    const stranger = await host();
    for (const h of [liveHost, quietHost]) await viewer.call("POST", `/api/users/${h.handle}/follow`);
    const liveSpace = await schedule(liveHost, "On air now");
    const upcoming = await schedule(quietHost, "Tomorrow's show", 24 * 60);
    const strangerSpace = await schedule(stranger, "Not followed");
    await viewer.call("POST", `/api/spaces/${upcoming.id}/reminder`);
    await goLive(liveSpace.id, 12);
    await goLive(strangerSpace.id, 99);

    const home = await viewer.call("GET", "/api/home");
    expect(home.status).toBe(200);
    expect(home.json.following).toEqual([
      {
        id: liveHost.id,
        handle: liveHost.handle,
        displayName: liveHost.handle,
        avatarUrl: null,
        live: { spaceId: liveSpace.id, title: "On air now", listenerCount: 12 },
      },
      { id: quietHost.id, handle: quietHost.handle, displayName: quietHost.handle, avatarUrl: null, live: null },
    ]);
    expect(ids(home.json.live)).toEqual([liveSpace.id]);
    expect(ids(home.json.upcoming)).toEqual([upcoming.id]);
    expect(home.json.upcoming[0].remindedByMe).toBeUndefined();
    expect(home.json.unreadCount).toBe(1);
    const signedOut = await signup();
    signedOut.cookie = "";
    expect((await signedOut.call("GET", "/api/home")).status).toBe(401);
  });
});
