// A socket asking into the room: who it is and with which single-use ticket, whether the room is live and lets them
// in, and then either a socket the room holds itself or, for a listener placed on a shard, the shard and a snapshot.
import { errorResponse } from "../protocol/errors.ts";
import { CLOSE_TOO_MANY_SOCKETS, type ServerMessage } from "../protocol/room.ts";
import { roomMaxSocketsPerPerson } from "../settings.ts";
import type { RoomState } from "./room-model.ts";
import type { RoomDelivery } from "./room-delivery.ts";
import { attach, IDENTITY_HEADER, parseIdentity } from "./room-sockets.ts";
import type { RoomEvent } from "./room-state.ts";
import { bucketsFor, shardRoute } from "./room-shards.ts";
import { relayFor } from "./room-relays.ts";
import { parsePlacement, PLACEMENT_HEADER, ROUTE_HEADER, type Admission } from "./shard-wire.ts";
import { parseTicket, refuseSocket, subprotocolHeaders, TICKET_HEADER, type UsedJoinTokens } from "./room-entry.ts";

/** What an upgrade needs from the room object. */
export interface UpgradeParts {
  readonly env: Env;
  readonly delivery: RoomDelivery;
  readonly usedTokens: UsedJoinTokens;
  run(event: RoomEvent, origin: WebSocket | null): Promise<ServerMessage[]>;
}

export async function acceptSocket(parts: UpgradeParts, room: RoomState | null, request: Request): Promise<Response> {
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
    return errorResponse(426, "upgrade_required", "This address only accepts WebSocket connections.");
  }
  const identity = parseIdentity(request.headers.get(IDENTITY_HEADER));
  const ticket = parseTicket(request.headers.get(TICKET_HEADER));
  if (!identity || !ticket) return errorResponse(401, "invalid_token", "The room could not tell who you are.");
  if (!room) return errorResponse(409, "space_not_live", "This Space has not started yet.");
  if (room.phase === "ended") return errorResponse(410, "space_ended", "This Space has ended.");
  if (room.blocked.has(identity.userId)) return errorResponse(403, "blocked", "The host has blocked you from their Spaces.");
  if (!parts.usedTokens.claim(ticket, Date.now())) {
    return errorResponse(401, "token_used", "This join token was already used; join again for a fresh one.");
  }
  const headers = subprotocolHeaders(request);
  const max = roomMaxSocketsPerPerson(parts.env);
  if ((room.people.get(identity.userId)?.connections.size ?? 0) >= max) {
    console.log(JSON.stringify({ event: "room_socket_refused", spaceId: room.space.id, userId: identity.userId, max }));
    const message = `You already have this Space open in ${max} places. Close one of them to listen here.`;
    return refuseSocket({ type: "error", code: "too_many_connections", message }, CLOSE_TOO_MANY_SOCKETS, headers);
  }
  const placement = parsePlacement(request.headers.get(PLACEMENT_HEADER));
  const shard = placement ? shardRoute(room, identity.userId, placement) : null;
  if (placement && shard !== null) {
    // The socket goes to a shard (under a relay once the region's shards outnumber the fan-out): the room counts the
    // listener and hands the Worker the snapshot to send first.
    const fanout = placement.fanout ?? null;
    const parent = relayFor(room, shard, bucketsFor(room, placement.capacity), fanout);
    const replies = await parts.run({ kind: "shard_admit", identity, shard, leaseMs: placement.leaseMs, parent, fanout }, null);
    const snapshot = replies.find((m) => m.type === "snapshot");
    if (snapshot?.type !== "snapshot") return errorResponse(409, "space_not_live", "This Space is not live.");
    return Response.json({ shard, snapshot, parent } satisfies Admission, { headers: { [ROUTE_HEADER]: "shard" } });
  }
  const { 0: client, 1: server } = new WebSocketPair();
  parts.delivery.accept(server, identity.userId);
  const cid = crypto.randomUUID();
  attach(server, { ...identity, cid });
  await parts.run({ kind: "connect", identity, connectionId: cid }, server);
  return new Response(null, { status: 101, webSocket: client, headers });
}
