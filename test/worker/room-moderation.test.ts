// Moderation and reactions over real sockets: hands and approval, the listener sample across role changes, authz
// errors, remove/block, coalesced reactions.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { ServerMessage } from "../../worker/protocol/room.ts";
import type { RoomFanout } from "../../worker/space/room-fanout.ts";
import { roomFor, type SpaceRoom } from "../../worker/space/space-room.ts";
import { signup } from "./helpers.ts";
import { connect, joinToken, liveSpace, upgrade, type RoomSocket } from "./room-helpers.ts";

describe("stage over the socket", () => {
  it("raise hand → host sees the queue → approve → the listener is a speaker, muted until they unmute", async () => {
    const { host, spaceId } = await liveSpace();
    const ana = await signup();
    const hostSocket = await connect(host, spaceId);
    const anaSocket = await connect(ana, spaceId);
    anaSocket.send({ type: "raise_hand" });
    expect((await anaSocket.next("update", (f) => f.you !== undefined)).you).toMatchObject({ handRaised: true });
    const queued = await hostSocket.next("update", (f) => f.handsAdded !== undefined);
    expect(queued.handsAdded).toEqual([expect.objectContaining({ userId: ana.id, handle: ana.handle })]);

    hostSocket.send({ type: "approve", userId: ana.id });
    const onStage = await anaSocket.next("update", (f) => f.participants !== undefined);
    expect(onStage.participants?.[0]).toMatchObject({ userId: ana.id, role: "speaker", muted: true, connected: true });
    anaSocket.send({ type: "unmute" });
    // The host saw the approval take the hand out of the queue, then sees the new speaker unmute.
    await hostSocket.next("update", (f) => f.handsRemoved?.includes(ana.id) === true);
    await hostSocket.next("update", (f) => f.participants?.some((p) => p.userId === ana.id && !p.muted) === true);
  });

  it("sends a fresh listener sample when a listener goes on stage and when they step back down", async () => {
    const { host, spaceId } = await liveSpace();
    const ana = await signup();
    const hostSocket = await connect(host, spaceId);
    const anaSocket = await connect(ana, spaceId);
    const inSample = (f: { listeners?: { userId: string }[] }) => f.listeners?.some((l) => l.userId === ana.id);
    await hostSocket.next("update", (f) => inSample(f) === true, 5000);

    hostSocket.send({ type: "invite", userId: ana.id });
    await anaSocket.next("update", (f) => f.you?.invited === true);
    anaSocket.send({ type: "accept_invite" });
    await hostSocket.next("update", (f) => f.listeners !== undefined && inSample(f) === false, 5000);

    anaSocket.send({ type: "set_role", userId: ana.id, role: "listener" });
    await hostSocket.next("update", (f) => f.gone?.includes(ana.id) === true);
    await hostSocket.next("update", (f) => inSample(f) === true, 5000);
  });

  it("answers forbidden to a listener's moderation frames and keeps the socket open", async () => {
    const { host, spaceId } = await liveSpace();
    const ana = await signup();
    await connect(host, spaceId);
    const anaSocket = await connect(ana, spaceId);
    for (const [frame, code] of [
      [{ type: "mute_all" }, "forbidden"],
      [{ type: "pin", url: "https://example.com" }, "forbidden"],
      [{ type: "remove", userId: host.id }, "forbidden"],
      [{ type: "set_role", userId: ana.id, role: "speaker" }, "forbidden"],
      [{ type: "end" }, "not_host"],
    ] as const) {
      anaSocket.send(frame);
      expect(await anaSocket.next("error")).toMatchObject({ code, frame: frame.type });
    }
    anaSocket.send({ type: "react", emoji: "🍕" });
    expect((await anaSocket.next("error")).code).toBe("invalid_emoji");
    anaSocket.send({ type: "pin", url: "javascript:alert(1)" });
    expect((await anaSocket.next("error")).code).toBe("invalid_url");
    anaSocket.send("not json");
    expect((await anaSocket.next("error")).code).toBe("bad_frame");
    anaSocket.send({ type: "ping" });
    await anaSocket.next("pong");
    expect(anaSocket.ws.readyState).toBe(WebSocket.OPEN);
  });

  it("answers one error per malformed frame and still works after 300 of them", async () => {
    const { host, spaceId } = await liveSpace();
    const hostSocket = await connect(host, spaceId);
    const junk = ["", "[]", "null", "{", '{"type":1}', '{"type":"x"}', '{"type":"mute"}', "x".repeat(5000)];
    for (let i = 0; i < 300; i++) hostSocket.send(junk[i % junk.length]);
    hostSocket.send({ type: "pin", url: "https://example.com/after" });
    const pinned = await hostSocket.next("update", (f) => f.pin !== undefined);
    expect(pinned.pin).toBe("https://example.com/after");
    expect(hostSocket.frames.filter((f) => f.type === "error")).toHaveLength(300);
  });
});

describe("remove and block", () => {
  it("closes a removed person's socket after a removed frame; a blocked one cannot come back, to this or the next Space", async () => {
    const { host, spaceId } = await liveSpace();
    const ana = await signup();
    const ben = await signup();
    const hostSocket = await connect(host, spaceId);
    const anaSocket = await connect(ana, spaceId);
    const benSocket = await connect(ben, spaceId);
    const spareToken = await joinToken(ben, spaceId);

    hostSocket.send({ type: "remove", userId: ana.id });
    expect(await anaSocket.next("removed")).toEqual({ type: "removed", blocked: false });
    expect((await anaSocket.closed).code).toBe(4003);
    await connect(ana, spaceId); // removal alone does not bar a return

    hostSocket.send({ type: "remove", userId: ben.id, block: true });
    expect(await benSocket.next("removed")).toEqual({ type: "removed", blocked: true });
    await benSocket.closed;
    const again = await ben.call("POST", `/api/spaces/${spaceId}/join`);
    expect([again.status, again.json.error.code]).toEqual([403, "blocked"]);
    const direct = await upgrade(spaceId, spareToken);
    expect(direct.status).toBe(403);
    expect(direct.webSocket).toBeNull();
    const row = await env.DB.prepare("SELECT 1 AS ok FROM blocks WHERE host_id = ? AND blocked_id = ?").bind(host.id, ben.id).first();
    expect(row).toEqual({ ok: 1 });

    const next = await host.call("POST", "/api/spaces", { title: "Next one" });
    await host.call("POST", `/api/spaces/${next.json.space.id}/start`);
    expect((await ben.call("POST", `/api/spaces/${next.json.space.id}/join`)).json.error.code).toBe("blocked");
  });
});

type ReactionsFrame = Extract<ServerMessage, { type: "reactions" }>;
const reactionCount = (frames: ReactionsFrame[]) =>
  frames.reduce((sum, f) => sum + Object.values(f.counts).reduce((a, b) => a + (b ?? 0), 0), 0);

/**
 * Reaction batches on `socket` (counting those already `seen`) until `count` reactions have come, then any later
 * ones: once the room has no batch waiting, a ping through the room collects whatever it sent before. So an extra
 * batch is counted too, without waiting for a quiet spell.
 */
async function reactionBatches(socket: RoomSocket, spaceId: string, count: number, seen: ServerMessage[] = []): Promise<ReactionsFrame[]> {
  const batches = seen.filter((f): f is ReactionsFrame => f.type === "reactions");
  while (reactionCount(batches) < count) batches.push(await socket.next("reactions"));
  const room = roomFor(env, spaceId);
  const waiting = () => runInDurableObject(room, (r: SpaceRoom) => (r as unknown as { fanout: RoomFanout }).fanout.waiting);
  await vi.waitFor(async () => expect(await waiting()).toBe(false));
  batches.push(...(await socket.drain()).filter((f): f is ReactionsFrame => f.type === "reactions"));
  return batches;
}

describe("reactions", () => {
  it("coalesces many reactions into at most 4 frames a second with counts and recent senders", async () => {
    const { host, spaceId } = await liveSpace();
    const people = await Promise.all(Array.from({ length: 6 }, () => signup()));
    const watcher = await connect(host, spaceId);
    const sockets = await Promise.all(people.map((p) => connect(p, spaceId)));
    const started = Date.now();
    // 6 people × 5 reactions in 1 s = 30 reactions, all within each person's limit. The pause paces the senders
    // (a burst spread over a second, as people tap); it does not wait for anything.
    for (let round = 0; round < 5; round++) {
      for (const socket of sockets) socket.send({ type: "react", emoji: round % 2 ? "🔥" : "👏" });
      await new Promise((r) => setTimeout(r, 190));
    }
    const frames = await reactionBatches(watcher, spaceId, 30);
    const elapsed = (Date.now() - started) / 1000;
    expect(reactionCount(frames)).toBe(30);
    expect(frames.length).toBeGreaterThan(1);
    expect(frames.length).toBeLessThanOrEqual(Math.ceil(elapsed * 4) + 1);
    expect(frames.length).toBeLessThan(30);
    const last = frames.at(-1)!;
    expect(last.recent.length).toBeGreaterThan(0);
    expect(last.recent.length).toBeLessThanOrEqual(5);
    expect(people.map((p) => p.id)).toContain(last.recent[0]!.userId);
  });

  it("rate limits a person at 5 a second with a single rate_limited error", async () => {
    const { host, spaceId } = await liveSpace();
    const hostSocket = await connect(host, spaceId);
    for (let i = 0; i < 25; i++) hostSocket.send({ type: "react", emoji: "💯" });
    const replies = await hostSocket.drain();
    expect(replies.filter((f) => f.type === "error").map((f) => f.type === "error" && f.code)).toEqual(["rate_limited"]);
    const batches = await reactionBatches(hostSocket, spaceId, 5, replies);
    expect(batches.reduce((sum, f) => sum + (f.counts["💯"] ?? 0), 0)).toBe(5);
    // Once everything is sent no flush timer is left to keep the idle room from hibernating.
    const waiting = await runInDurableObject(roomFor(env, spaceId), (room: SpaceRoom) => (room as unknown as { fanout: RoomFanout }).fanout.waiting);
    expect(waiting).toBe(false);
  });
});
