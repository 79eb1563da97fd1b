// Attempt counters for logins and signups: every attempt is claimed before any work, by one atomic upsert per
// counter, so parallel requests are counted one by one and none slips past a limit. Login counters (rows keyed by
// what they count): the handle from one address, the address over all handles, the handle over all addresses.
import type { Db } from "./client.ts";
import { sql } from "drizzle-orm";
import type { AttemptLimits } from "../settings.ts";

export type AttemptCounter = { key: string; max: number; lockMs: number; windowMs: number };

const WINDOW_MS = 15 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/**
 * The counters a login attempt claims (limits from settings, LOGIN_MAX_FAILURES…). An attacker's guesses lock the
 * handle only for their own address; the handle as a whole locks after many more failures from many addresses, and
 * then for one minute only, so nobody can keep an owner out for long. One address also has a budget over all handles
 * (password spraying).
 */
export function loginCounters(handleLower: string, address: string, limits: AttemptLimits): AttemptCounter[] {
  return [
    { key: `pair:${handleLower}|${address}`, max: limits.loginPerHandleAndAddress, lockMs: 15 * 60 * 1000, windowMs: WINDOW_MS },
    { key: `address:${address}`, max: limits.loginPerAddress, lockMs: 15 * 60 * 1000, windowMs: WINDOW_MS },
    { key: `handle:${handleLower}`, max: limits.loginPerHandle, lockMs: 60 * 1000, windowMs: WINDOW_MS },
  ];
}

/** New accounts per address per hour, so one machine cannot mint hundreds of throwaway followers. */
export function signupCounters(address: string, limits: AttemptLimits): AttemptCounter[] {
  return [{ key: `signup:${address}`, max: limits.signupsPerAddressPerHour, lockMs: HOUR_MS, windowMs: HOUR_MS }];
}

/** Guest join tokens per address in ten minutes: enough for a household reconnecting, not for a bot swarm. */
export function guestJoinCounters(address: string, limits: AttemptLimits): AttemptCounter[] {
  return [{ key: `guest:${address}`, max: limits.guestJoinsPerAddress, lockMs: 10 * 60 * 1000, windowMs: 10 * 60 * 1000 }];
}

/**
 * Claims one attempt on every counter; returns how many milliseconds to wait when any counter is locked (its claim
 * then counts for nothing), or 0 when the password may be checked. The row's handle_lower column holds the key.
 */
export async function claimAttempt(db: Db, counters: AttemptCounter[], now: number): Promise<number> {
  let wait = 0;
  for (const { key, max, lockMs, windowMs } of counters) {
    const [row] = await db.all<{ failures: number; locked_until: number | null }>(sql`
      INSERT INTO login_attempts (handle_lower, failures, window_start, locked_until)
      VALUES (${key}, 1, ${now}, ${1 > max ? now + lockMs : null})
      ON CONFLICT (handle_lower) DO UPDATE SET
        failures = CASE
          WHEN locked_until > ${now} THEN failures
          WHEN window_start < ${now - windowMs} THEN 1
          ELSE failures + 1 END,
        window_start = CASE
          WHEN locked_until > ${now} THEN window_start
          WHEN window_start < ${now - windowMs} THEN ${now}
          ELSE window_start END,
        locked_until = CASE
          WHEN locked_until > ${now} THEN locked_until
          WHEN window_start >= ${now - windowMs} AND failures + 1 > ${max} THEN ${now + lockMs}
          ELSE NULL END
      RETURNING failures, locked_until`);
    if (row?.locked_until && row.locked_until > now) wait = Math.max(wait, row.locked_until - now);
  }
  return wait;
}

/** After a right password: the handle's counters start over, and the address gets its claimed attempt back. */
export async function settleSuccess(db: Db, handleLower: string, address: string): Promise<void> {
  await db.run(sql`DELETE FROM login_attempts WHERE handle_lower IN (${`pair:${handleLower}|${address}`}, ${`handle:${handleLower}`})`);
  await db.run(sql`UPDATE login_attempts SET failures = MAX(failures - 1, 0) WHERE handle_lower = ${`address:${address}`}`);
}
