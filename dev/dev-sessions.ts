// Signed-in people without a login, for stacks this machine owns (the bench's users, its demo host): a server-side
// session row with a fixed id per person, and the cookie a login would set, signed with the stack's SESSION_SECRET.
import { SESSION_TTL_SECONDS, signSession } from "../worker/auth/tokens.ts";

export const devSessionId = (userId: string) => `dev-session-${userId}`;

/** INSERT statements for one session row per user (repeatable: existing rows are kept). */
export function devSessionsSql(userIds: string[], now = Date.now()): string {
  const expiresAt = now + SESSION_TTL_SECONDS * 1000;
  const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;
  const statements: string[] = [];
  for (let i = 0; i < userIds.length; i += 500) {
    const rows = userIds.slice(i, i + 500).map((id) => `(${quote(devSessionId(id))}, ${quote(id)}, ${expiresAt}, ${now})`);
    statements.push(`INSERT OR IGNORE INTO sessions (id, user_id, expires_at, created_at) VALUES ${rows.join(",\n")};`);
  }
  return statements.join("\n");
}

export function devSessionCookieValue(secret: string, userId: string): Promise<string> {
  return signSession(secret, userId, devSessionId(userId));
}
