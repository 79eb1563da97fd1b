// Failed-login throttling: one guarded upsert per failure, so concurrent guesses cannot slip past the limit.
import type { Db } from "./client.ts";
import { sql } from "drizzle-orm";

export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60 * 1000;
export const LOCK_MS = 15 * 60 * 1000;

/** Milliseconds the handle stays locked, or 0 when logins may be tried. */
export async function lockRemaining(db: Db, handleLower: string, now: number): Promise<number> {
  const row = await db.query.loginAttempts.findFirst({
    where: (t, { eq }) => eq(t.handleLower, handleLower),
  });
  return row?.lockedUntil && row.lockedUntil > now ? row.lockedUntil - now : 0;
}

export async function recordFailure(db: Db, handleLower: string, now: number): Promise<void> {
  await db.run(sql`
    INSERT INTO login_attempts (handle_lower, failures, window_start, locked_until)
    VALUES (${handleLower}, 1, ${now}, NULL)
    ON CONFLICT (handle_lower) DO UPDATE SET
      failures = CASE WHEN window_start < ${now - WINDOW_MS} THEN 1 ELSE failures + 1 END,
      window_start = CASE WHEN window_start < ${now - WINDOW_MS} THEN ${now} ELSE window_start END,
      locked_until = CASE
        WHEN window_start >= ${now - WINDOW_MS} AND failures + 1 >= ${MAX_FAILURES} THEN ${now + LOCK_MS}
        ELSE locked_until END`);
}

export async function clearFailures(db: Db, handleLower: string): Promise<void> {
  await db.run(sql`DELETE FROM login_attempts WHERE handle_lower = ${handleLower}`);
}
