// Listening without an account (issue 16, part 5): how a guest is named in a room and what a guest join answers.

/** Guests' room ids start with this; account ids are UUIDs, so the two never collide; it passes the room's userId check so a host can remove a guest. */
export const GUEST_PREFIX = "guest-";

export const isGuestId = (userId: string): boolean => userId.startsWith(GUEST_PREFIX);

/** The header the web app sends the guest credential in on the audio routes (guests have no session cookie). */
export const GUEST_TOKEN_HEADER = "X-Guest-Token";

/**
 * `POST /api/spaces/:id/join` without a session, where guests may listen: the contract's join shape plus `guest`,
 * whose token lets the guest open a pull-only audio session in this one Space.
 */
export type GuestJoin = { url: string; token: string; protocols?: string[]; guest: { id: string; token: string } };
