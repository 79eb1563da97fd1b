// Socket plumbing for the SpaceRoom DO: tags per person, the identity attachment, and sending to one, some or all.
import type { ServerMessage } from "../protocol/room.ts";
import { trySend } from "../sockets.ts";
import type { Identity } from "./room-model.ts";

/** What a socket carries through hibernation: the verified person and this socket's own id. */
export type SocketAttachment = Identity & { cid: string };

/** The header the Worker uses to hand a verified identity to the DO (clients cannot reach the DO directly). */
export const IDENTITY_HEADER = "X-Spaces-Identity";

export const userTag = (userId: string) => `u:${userId}`;


export function sendAll(sockets: Iterable<WebSocket>, message: ServerMessage): void {
  const text = JSON.stringify(message);
  for (const ws of sockets) trySend(ws, text);
}

const attachments = new WeakMap<WebSocket, SocketAttachment>();

export function attach(ws: WebSocket, attachment: SocketAttachment): void {
  ws.serializeAttachment(attachment);
  attachments.set(ws, attachment);
}

/** The socket's identity; after hibernation it is read back from the serialized attachment once. */
export function attachmentOf(ws: WebSocket): SocketAttachment | null {
  let found = attachments.get(ws);
  if (!found) {
    const stored = ws.deserializeAttachment() as SocketAttachment | null;
    if (!stored || typeof stored.userId !== "string" || typeof stored.cid !== "string") return null;
    attachments.set(ws, (found = stored));
  }
  return found;
}

/** Header values are bytes, and display names are not ASCII: the JSON travels percent-encoded. */
export const encodeIdentity = (identity: Identity) => encodeURIComponent(JSON.stringify(identity));

export function parseIdentity(header: string | null): Identity | null {
  if (!header) return null;
  try {
    const value = JSON.parse(decodeURIComponent(header)) as Partial<Identity>;
    if (typeof value.userId !== "string" || typeof value.handle !== "string" || typeof value.displayName !== "string") {
      return null;
    }
    return {
      userId: value.userId,
      handle: value.handle,
      displayName: value.displayName,
      hostFollows: value.hostFollows === true,
      avatarUrl: typeof value.avatarUrl === "string" ? value.avatarUrl : null,
    };
  } catch {
    return null;
  }
}
