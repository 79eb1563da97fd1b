// Local demo data (never production): users host, ana and ben and 640 generated fans of host (fan_0001…), all with
// password spaces-dev.
// The SQL is idempotent (fixed ids, INSERT OR IGNORE), so running the seed again adds nothing.
import { pbkdf2Sync, randomBytes } from "node:crypto";

export const DEMO_PASSWORD = "spaces-dev";
export const DEMO_USERS = [
  { id: "demo-host", handle: "host", displayName: "Hana Host" },
  { id: "demo-ana", handle: "ana", displayName: "Ana Listener" },
  { id: "demo-ben", handle: "ben", displayName: "Ben Speaker" },
] as const;
export const DEMO_FAN_COUNT = 640;

/** The same hash format as worker/auth/passwords.ts: PBKDF2-SHA256, 100k iterations, 32 bytes, base64. */
function hashPassword(password: string): { hash: string; salt: string } {
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(password, salt, 100_000, 32, "sha256");
  return { hash: hash.toString("base64"), salt: salt.toString("base64") };
}

const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** A calendar feed token in the Worker's format (32 hex characters), or the feed URL answers 404. */
const calendarToken = () => randomBytes(16).toString("hex");

export function seedSql(now = Date.now()): string {
  const lines: string[] = [];
  for (const user of DEMO_USERS) {
    const { hash, salt } = hashPassword(DEMO_PASSWORD);
    lines.push(
      `INSERT OR IGNORE INTO users (id, handle, display_name, password_hash, password_salt, calendar_token) VALUES (${quote(user.id)}, ${quote(user.handle)}, ${quote(user.displayName)}, ${quote(hash)}, ${quote(salt)}, ${quote(calendarToken())});`,
    );
  }
  // Generated fans log in with the demo password too. They share one salt and hash: 640 PBKDF2 runs would add
  // half a minute to every seed, and these are throwaway local accounts.
  const fan = hashPassword(DEMO_PASSWORD);
  for (let i = 1; i <= DEMO_FAN_COUNT; i++) {
    const id = `demo-fan-${String(i).padStart(4, "0")}`;
    lines.push(
      // Backdated a year: only followers with accounts older than HOST_FOLLOWER_MIN_AGE_DAYS count toward hosting.
      `INSERT OR IGNORE INTO users (id, handle, display_name, password_hash, password_salt, calendar_token, created_at) VALUES (${quote(id)}, ${quote(`fan_${String(i).padStart(4, "0")}`)}, ${quote(`Fan ${i}`)}, ${quote(fan.hash)}, ${quote(fan.salt)}, ${quote(calendarToken())}, ${now - 365 * 24 * 3600 * 1000});`,
      `INSERT OR IGNORE INTO follows (follower_id, followee_id) VALUES (${quote(id)}, 'demo-host');`,
    );
  }
  lines.push(
    // Databases seeded by older versions: fans without a usable hash, and feed tokens the Worker does not accept.
    `UPDATE users SET password_hash = ${quote(fan.hash)}, password_salt = ${quote(fan.salt)} WHERE id LIKE 'demo-fan-%' AND password_hash = '!';`,
    `UPDATE users SET calendar_token = lower(hex(randomblob(16))) WHERE id LIKE 'demo-%' AND calendar_token LIKE 'cal-%';`,
    `INSERT OR IGNORE INTO follows (follower_id, followee_id) VALUES ('demo-ana', 'demo-host'), ('demo-ben', 'demo-host'), ('demo-host', 'demo-ben');`,
    // An upcoming Space so the lists and reminders have something to show; its time moves forward on each seed.
    `INSERT INTO spaces (id, host_id, title, state, speak_policy, scheduled_for) VALUES ('demo-upcoming', 'demo-host', 'Friday music chat', 'scheduled', 'everyone', ${now + 24 * 3600 * 1000})
      ON CONFLICT (id) DO UPDATE SET scheduled_for = excluded.scheduled_for WHERE spaces.state = 'scheduled';`,
    `INSERT OR IGNORE INTO space_topics (space_id, topic) VALUES ('demo-upcoming', 'music');`,
  );
  return lines.join("\n");
}
