// Pages that follow a Space: the watch socket hears state changes, the session route answers signed-out people
// with a normal 200, and the room tells everyone who is listening (the first listeners by name).
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { WatchMessage } from "../../worker/protocol/watch.ts";
import { client, host, ORIGIN, signup } from "./helpers.ts";
import { connect, liveSpace } from "./room-helpers.ts";

async function watch(spaceId: string) {
  const response = await SELF.fetch(`${ORIGIN}/api/spaces/${spaceId}/watch`, { headers: { Upgrade: "websocket" } });
  expect(response.status).toBe(101);
  const ws = response.webSocket!;
  const frames: WatchMessage[] = [];
  const waiters = new Set<() => void>();
  ws.addEventListener("message", (event) => {
    frames.push(JSON.parse(String(event.data)) as WatchMessage);
    for (const wake of waiters) wake();
  });
  ws.accept();
  let taken = 0;
  const next = () =>
    new Promise<WatchMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no watch frame within 3 s")), 3000);
      const check = () => {
        if (taken < frames.length) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(frames[taken++]!);
        }
      };
      waiters.add(check);
      check();
    });
  return { ws, next };
}

describe("the Space watch socket", () => {
  it("tells a waiting page when the host starts, then when the Space ends", async () => {
    const h = await host();
    const created = await h.call("POST", "/api/spaces", { title: "Watched", scheduledFor: Date.now() + 60 * 60_000 });
    const spaceId = created.json.space.id as string;
    const watcher = await watch(spaceId);
    expect((await h.call("POST", `/api/spaces/${spaceId}/start`)).status).toBe(200);
    expect(await watcher.next()).toEqual({ type: "changed", state: "live" });
    expect((await h.call("POST", `/api/spaces/${spaceId}/end`)).status).toBe(200);
    expect(await watcher.next()).toEqual({ type: "changed", state: "ended" });
    watcher.ws.close();
  });

  it("tells watchers of a scheduled Space that it was edited, and that it was cancelled", async () => {
    const h = await host();
    const created = await h.call("POST", "/api/spaces", { title: "To cancel", scheduledFor: Date.now() + 60 * 60_000 });
    const spaceId = created.json.space.id as string;
    const watcher = await watch(spaceId);
    expect((await h.call("PATCH", `/api/spaces/${spaceId}`, { title: "Renamed" })).status).toBe(200);
    expect(await watcher.next()).toEqual({ type: "changed", state: "scheduled" });
    expect((await h.call("POST", `/api/spaces/${spaceId}/cancel`)).status).toBe(200);
    expect(await watcher.next()).toEqual({ type: "changed", state: "cancelled" });
    watcher.ws.close();
  });

  it("answers an unknown Space and a plain GET in the contract's error shape", async () => {
    const missing = await SELF.fetch(`${ORIGIN}/api/spaces/no-such-space/watch`, { headers: { Upgrade: "websocket" } });
    expect(missing.status).toBe(404);
    expect((await missing.json<{ error: { code: string } }>()).error.code).toBe("not_found");
    const { spaceId } = await liveSpace();
    const plain = await client().call("GET", `/api/spaces/${spaceId}/watch`);
    expect(plain.status).toBe(426);
    expect(plain.json.error.code).toBe("upgrade_required");
  });
});

describe("GET /api/auth/session", () => {
  it("is a normal 200 with user null when signed out, and the user when signed in", async () => {
    const anonymous = await client().call("GET", "/api/auth/session");
    expect(anonymous).toMatchObject({ status: 200, json: { user: null } });
    const ana = await signup();
    const signedIn = await ana.call("GET", "/api/auth/session");
    expect(signedIn.status).toBe(200);
    expect(signedIn.json.user).toMatchObject({ id: ana.id, handle: ana.handle, canHost: false });
    // The contract's /me keeps its meaning: the signed-in user, 401 otherwise.
    expect((await client().call("GET", "/api/me")).status).toBe(401);
  });
});

describe("who is listening", () => {
  it("names the first listeners in the snapshot and sends the list again when it changes", async () => {
    const { host: h, spaceId } = await liveSpace();
    const hostSocket = await connect(h, spaceId);
    expect(hostSocket.snapshot.listeners).toEqual([]);
    const ana = await signup();
    const anaSocket = await connect(ana, spaceId);
    expect(anaSocket.snapshot.listeners).toEqual([{ userId: ana.id, handle: ana.handle, displayName: ana.handle }]);
    const update = await hostSocket.next("update", (frame) => frame.listeners !== undefined);
    expect(update.listeners?.map((l) => l.userId)).toEqual([ana.id]);
    anaSocket.ws.close();
    const gone = await hostSocket.next("update", (frame) => frame.listeners !== undefined);
    expect(gone.listeners).toEqual([]);
  });
});
