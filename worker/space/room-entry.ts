// Who may open a socket into a room, beyond a valid signature: each join token opens one socket and starts one audio
// session only (the room keeps the ids of tokens it admitted, per use, in its SQLite storage until they expire), and a
// person has at most a few sockets open.
import { ROOM_SUBPROTOCOL, type Role, type ServerMessage } from "../protocol/room.ts";

/** The header the Worker uses to hand the verified token's id and expiry to the room (clients cannot reach the DO). */
export const TICKET_HEADER = "X-Spaces-Join-Ticket";

/** The part of a verified join token the room remembers. */
export type JoinTicketId = { tokenId: string; expiresAt: number };

/** What a join token may be spent on, once each: the room socket, and the audio session started beside it. */
export type TicketUse = "socket" | "audio";

/** The room's answer to an audio session's start: the role it starts with, or why there is none. */
export type AudioEntry = { ok: true; role: Role } | { ok: false; code: "token_used" | "not_in_room" };

export const encodeTicket = (ticket: JoinTicketId) => `${ticket.expiresAt} ${ticket.tokenId}`;

export function parseTicket(header: string | null): JoinTicketId | null {
  const match = header ? /^(\d{1,16}) ([\w-]{8,64})$/.exec(header) : null;
  return match ? { expiresAt: Number(match[1]), tokenId: match[2]! } : null;
}

/** Ids stay this long past their token's expiry, in case the room's clock runs behind the Worker's that checked it. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** Expired ids are swept at most once a minute, so a join storm pays one DELETE a minute and not one per join. */
const PRUNE_EVERY_MS = 60_000;

/** Ids of the join tokens this room admitted, durable across hibernation, eviction and restarts. */
export class UsedJoinTokens {
  private readonly sql: SqlStorage;
  private lastPrune = 0;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS room_used_tokens (token_id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS room_used_tokens_expiry ON room_used_tokens (expires_at);`);
  }

  /**
   * Records the token as used for `use` now; false when it had been used for that before (a replay). One statement,
   * so never twice. A socket's id is stored bare (as ids were before audio uses existed), other uses prefixed.
   */
  claim(ticket: JoinTicketId, now: number, use: TicketUse = "socket"): boolean {
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      // An expired token is refused by the Worker before it gets here, so forgetting its id cannot let it back in.
      this.sql.exec("DELETE FROM room_used_tokens WHERE expires_at < ?", now - CLOCK_SKEW_MS);
    }
    const inserted = this.sql
      .exec(
        "INSERT INTO room_used_tokens (token_id, expires_at) VALUES (?, ?) ON CONFLICT (token_id) DO NOTHING RETURNING token_id",
        use === "socket" ? ticket.tokenId : `${use}:${ticket.tokenId}`,
        ticket.expiresAt,
      )
      .toArray();
    return inserted.length === 1;
  }
}

/** The upgrade answer's headers: a client that offered the room's subprotocol must hear it back, or its browser fails the socket. */
export function subprotocolHeaders(request: Request): HeadersInit | undefined {
  const offered = request.headers.get("Sec-WebSocket-Protocol");
  const names = offered ? offered.split(",").map((name) => name.trim()) : [];
  return names.includes(ROOM_SUBPROTOCOL) ? { "Sec-WebSocket-Protocol": ROOM_SUBPROTOCOL } : undefined;
}

/**
 * Completes the upgrade only to say why the socket cannot stay: one `error` frame, then a close with `closeCode`. A
 * browser never sees the status of a refused upgrade, so a refusal it should show travels as a frame.
 */
export function refuseSocket(error: Extract<ServerMessage, { type: "error" }>, closeCode: number, headers: HeadersInit | undefined): Response {
  const { 0: client, 1: server } = new WebSocketPair();
  server.accept();
  server.send(JSON.stringify(error));
  server.close(closeCode, error.code);
  return new Response(null, { status: 101, webSocket: client, headers });
}
