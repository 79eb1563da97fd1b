// Room sockets hardened (issue 12): the join token travels as a subprotocol and never in a URL, opens one socket only
// (remembered by the room across eviction), and one person holds at most 3 sockets in a room.
import { env, evictDurableObject, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { RoomState } from "../../worker/space/room-model.ts";
import { UsedJoinTokens } from "../../worker/space/room-entry.ts";
import { roomFor, type SpaceRoom } from "../../worker/space/space-room.ts";
import { ORIGIN, signup } from "./helpers.ts";
import { connect, joinToken, liveSpace, upgrade, wrapSocket } from "./room-helpers.ts";
import { connectWith, SHARDS_ON, upgradeWith } from "./shard-helpers.ts";

/** An upgrade with exactly these headers besides `Upgrade` (to try the transports the browser client does not use). */
const rawUpgrade = (spaceId: string, query: string, headers: Record<string, string> = {}) =>
  SELF.fetch(`${ORIGIN}/api/spaces/${spaceId}/live${query}`, { headers: { Upgrade: "websocket", ...headers } });

async function refusal(response: Response): Promise<[number, string, boolean]> {
  const body = (await response.json()) as { error: { code: string } };
  return [response.status, body.error.code, response.webSocket !== null];
}

/** Sockets the room counts for one person, read inside the object. */
const socketsOf = (spaceId: string, userId: string) =>
  runInDurableObject(roomFor(env, spaceId), (room: SpaceRoom) =>
    (room as unknown as { room: RoomState }).room.people.get(userId)?.connections.size ?? 0,
  );

describe("join token transport", () => {
  it("hands out the token as a subprotocol: the URL carries none, and the room answers `spaces`", async () => {
    const { spaceId } = await liveSpace();
    const ana = await signup();
    const join = await ana.call("POST", `/api/spaces/${spaceId}/join`);
    expect(join.json.url).toBe(`ws://localhost/api/spaces/${spaceId}/live`);
    expect(join.json.protocols).toEqual(["spaces", join.json.token]);
    const res = await upgrade(spaceId, join.json.token);
    expect([res.status, res.headers.get("Sec-WebSocket-Protocol")]).toEqual([101, "spaces"]);
    const socket = wrapSocket(res.webSocket!);
    expect((await socket.next("snapshot")).you.userId).toBe(ana.id);
  });

  it("reads ?token= only when no subprotocol is offered, and a subprotocol without `spaces` carries no token", async () => {
    const { spaceId } = await liveSpace();
    const ana = await signup();
    const plain = await rawUpgrade(spaceId, `?token=${encodeURIComponent(await joinToken(ana, spaceId))}`);
    expect([plain.status, plain.headers.get("Sec-WebSocket-Protocol")]).toEqual([101, null]);
    await wrapSocket(plain.webSocket!).next("snapshot");

    const queryBeside = await rawUpgrade(spaceId, `?token=${encodeURIComponent(await joinToken(ana, spaceId))}`, { "Sec-WebSocket-Protocol": "spaces" });
    expect(await refusal(queryBeside)).toEqual([401, "invalid_token", false]);
    const foreignProtocol = await rawUpgrade(spaceId, "", { "Sec-WebSocket-Protocol": `chat, ${await joinToken(ana, spaceId)}` });
    expect(await refusal(foreignProtocol)).toEqual([401, "invalid_token", false]);
  });
});

describe("single-use join tokens", () => {
  it("refuses a second use of a token, the host's too, with 401 token_used; the room remembers through an eviction", async () => {
    const { host, spaceId } = await liveSpace();
    const hostToken = await joinToken(host, spaceId);
    const hostSocket = wrapSocket((await upgrade(spaceId, hostToken)).webSocket!);
    expect((await hostSocket.next("snapshot")).you.role).toBe("host");
    expect(await refusal(await upgrade(spaceId, hostToken))).toEqual([401, "token_used", false]);

    const ana = await signup();
    const anaToken = await joinToken(ana, spaceId);
    const first = await upgrade(spaceId, anaToken);
    await wrapSocket(first.webSocket!).next("snapshot");
    await evictDurableObject(roomFor(env, spaceId));
    expect(await refusal(await upgrade(spaceId, anaToken))).toEqual([401, "token_used", false]);
    // A fresh token from POST /join still gets in after the wake.
    expect((await connect(ana, spaceId)).snapshot.you.userId).toBe(ana.id);
  });

  it("forgets a used token's id only once the token has expired (with room for clock skew)", async () => {
    const { spaceId } = await liveSpace();
    const kept = await runInDurableObject(roomFor(env, spaceId), (_room: SpaceRoom, state) => {
      const used = new UsedJoinTokens(state.storage.sql);
      const now = Date.now();
      const claims = [
        used.claim({ tokenId: "expired-long-ago", expiresAt: now - 10 * 60_000 }, now),
        used.claim({ tokenId: "expired-long-ago", expiresAt: now - 10 * 60_000 }, now),
        used.claim({ tokenId: "still-valid", expiresAt: now + 60_000 }, now),
        // A minute later the next claim sweeps: the long-expired id goes, the valid one stays and still refuses.
        used.claim({ tokenId: "next-join", expiresAt: now + 120_000 }, now + 61_000),
        used.claim({ tokenId: "still-valid", expiresAt: now + 60_000 }, now + 61_000),
      ];
      const rows = state.storage.sql.exec<{ token_id: string }>("SELECT token_id FROM room_used_tokens ORDER BY token_id").toArray();
      return { claims, ids: rows.map((row) => row.token_id).filter((id) => !/^[0-9a-f-]{36}$/.test(id)) };
    });
    expect(kept).toEqual({ claims: [true, false, true, true, false], ids: ["next-join", "still-valid"] });
  });
});

describe("sockets per person", () => {
  it("lets one person hold 3 sockets in a room; a 4th gets a too_many_connections frame and is closed, and a slot frees up", async () => {
    const { host, spaceId } = await liveSpace();
    await connect(host, spaceId);
    const ana = await signup();
    const sockets = [await connect(ana, spaceId), await connect(ana, spaceId), await connect(ana, spaceId)];

    const fourth = await upgrade(spaceId, await joinToken(ana, spaceId));
    expect(fourth.status).toBe(101);
    const refused = wrapSocket(fourth.webSocket!);
    expect(await refused.next("error")).toMatchObject({ code: "too_many_connections", message: expect.stringContaining("3 places") });
    expect((await refused.closed).code).toBe(4029);
    expect(refused.frames.map((frame) => frame.type)).toEqual(["error"]);
    expect(await roomFor(env, spaceId).status()).toMatchObject({ listenerCount: 2 });

    // Someone else is not affected by ana's sockets.
    expect((await connect(await signup(), spaceId)).snapshot.listenerCount).toBe(3);
    sockets[0]!.ws.close(1000, "closing a tab");
    await vi.waitFor(async () => expect(await socketsOf(spaceId, ana.id)).toBe(2));
    expect((await connect(ana, spaceId)).snapshot.you.userId).toBe(ana.id);
  });
});

describe("on a fan-out shard", () => {
  it("answers `spaces`, refuses a reused token and a 4th socket of one person, as the room does", async () => {
    const { host, spaceId } = await liveSpace();
    await connect(host, spaceId);
    const ana = await signup();
    const token = await joinToken(ana, spaceId);
    const first = await upgradeWith(spaceId, token, SHARDS_ON);
    expect([first.status, first.headers.get("Sec-WebSocket-Protocol")]).toEqual([101, "spaces"]);
    await wrapSocket(first.webSocket!).next("snapshot");
    expect((await runInDurableObject(roomFor(env, spaceId), (_room: SpaceRoom, state) => state.getWebSockets().length))).toBe(1);
    expect(await refusal(await upgradeWith(spaceId, token, SHARDS_ON))).toEqual([401, "token_used", false]);

    await connectWith(ana, spaceId, SHARDS_ON);
    await connectWith(ana, spaceId, SHARDS_ON);
    const fourth = wrapSocket((await upgradeWith(spaceId, await joinToken(ana, spaceId), SHARDS_ON)).webSocket!);
    expect(await fourth.next("error")).toMatchObject({ code: "too_many_connections" });
    expect((await fourth.closed).code).toBe(4029);
  });
});
