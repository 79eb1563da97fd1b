// Helpers for shard tests: joining a room through the Worker with shard settings of the test's choosing (the Worker
// reads SHARD_* from its env and tells the room, so one test can turn shards on without changing everyone's config).
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../worker/index.ts";
import type { ServerMessage } from "../../worker/protocol/room.ts";
import { ORIGIN, type Client } from "./helpers.ts";
import { joinToken, wrapSocket, type RoomSocket } from "./room-helpers.ts";

/** Every plain listener after the first person goes to a shard, whose report holds for 2 s. */
export const SHARDS_ON = { SHARD_THRESHOLD: "1", SHARD_LEASE_SECONDS: "2", SHARD_LOCATION_HINT: "weur" };

export async function upgradeWith(spaceId: string, token: string, settings: Partial<Env>): Promise<Response> {
  const request = new Request(`${ORIGIN}/api/spaces/${spaceId}/live`, {
    headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": `spaces, ${token}` },
  });
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, { ...env, ...settings }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** Joins through the API and opens a real socket through the Worker with these settings; resolves on the snapshot. */
export async function connectWith(
  person: Client,
  spaceId: string,
  settings: Partial<Env>,
): Promise<RoomSocket & { snapshot: Extract<ServerMessage, { type: "snapshot" }> }> {
  const res = await upgradeWith(spaceId, await joinToken(person, spaceId), settings);
  if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade failed: ${res.status} ${await res.text()}`);
  const socket = wrapSocket(res.webSocket);
  const snapshot = await socket.next("snapshot");
  return Object.assign(socket, { snapshot });
}
