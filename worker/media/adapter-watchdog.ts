// The adapter watchdog's rules (pure, no I/O): when a stage track's adapter is lost for good at the SFU (its socket
// down longer than the SFU's 5 s redial window) and when to try again after Calls refused a new one (back-off, bounded).
// The media object applies them from its alarm (space-media.ts); its storage keeps each adapter's health across resets.

/** The SFU redials the same URL for 5 s after a drop, then drops the adapter; a handshake it began may end later. */
export const REDIAL_WINDOW_MS = 5_000;
/** Down this long, the adapter is gone at the SFU: it is closed (idempotently) and a new one opened. */
export const STALE_AFTER_MS = REDIAL_WINDOW_MS + 2_000;
/** While adapters stand, a check at least this often: after a reset no close event tells that a socket was lost. */
export const WATCH_PERIOD_MS = 30_000;
/** Attempts at a new adapter before the speaker's adapter is marked failed (until the room opens it again). */
export const MAX_REOPEN_ATTEMPTS = 4;
const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 30_000;

/** A track's adapter as the room may show it: streaming or waiting for the SFU, being replaced, or given up on. */
export type AdapterState = "open" | "reopening" | "failed";

/** What the media object remembers of one adapter's link to the SFU (bound to one opening by its key). */
export type AdapterHealth = {
  userId: string;
  adapterKey: string;
  /** The SFU's socket for this opening connected at least once (it dials before `new` answers). */
  connectedOnce: boolean;
  /** When its last socket went (or when a check first found none after a reset); null while connected. */
  droppedAt: number | null;
  /** New adapters asked for since the last one that connected. */
  attempts: number;
  /** When to ask Calls again after a refusal; null when no retry is due. */
  retryAt: number | null;
  failed: boolean;
};

export const freshHealth = (userId: string, adapterKey: string): AdapterHealth => ({
  userId,
  adapterKey,
  connectedOnce: false,
  droppedAt: null,
  attempts: 0,
  retryAt: null,
  failed: false,
});

/** Wait before attempt `attempts + 1`: 2 s, 4 s, 8 s … at most 30 s. */
export function retryDelayMs(attempts: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
}

export type WatchStep =
  | { kind: "fine"; checkAt: number | null }
  | { kind: "mark_dropped"; droppedAt: number; checkAt: number }
  | { kind: "reopen"; droppedForMs: number | null };

/**
 * One adapter at one check. `adapterId` null with no retry due is an opening in flight (the room's own call): left
 * alone. Only an opening whose socket connected is watched for a drop: one the SFU never reached is still opening.
 */
export function watchStep(health: AdapterHealth | null, adapterId: string | null, connected: boolean, now: number): WatchStep {
  if (!health || health.failed) return { kind: "fine", checkAt: null };
  if (health.retryAt !== null) return now >= health.retryAt ? { kind: "reopen", droppedForMs: null } : { kind: "fine", checkAt: health.retryAt };
  if (adapterId === null || !health.connectedOnce) return { kind: "fine", checkAt: null };
  if (connected) return { kind: "fine", checkAt: now + WATCH_PERIOD_MS };
  if (health.droppedAt === null) return { kind: "mark_dropped", droppedAt: now, checkAt: now + STALE_AFTER_MS };
  const droppedForMs = now - health.droppedAt;
  if (droppedForMs >= STALE_AFTER_MS) return { kind: "reopen", droppedForMs };
  return { kind: "fine", checkAt: health.droppedAt + STALE_AFTER_MS };
}

/** Health after an attempt at a new adapter: the new opening's record, a retry time, or failed. */
export function afterAttempt(userId: string, adapterKey: string, attempts: number, opened: boolean, now: number): AdapterHealth {
  const health = { ...freshHealth(userId, adapterKey), attempts };
  if (opened) return health;
  if (attempts >= MAX_REOPEN_ATTEMPTS) return { ...health, failed: true };
  return { ...health, retryAt: now + retryDelayMs(attempts) };
}

export function stateOf(health: AdapterHealth | null, adapterId: string | null): AdapterState {
  if (!health) return "open";
  if (health.failed) return "failed";
  // Down (the SFU may still redial), waiting to retry, or a replacement asked for and not answered yet.
  if (health.droppedAt !== null || health.retryAt !== null || (health.attempts > 0 && adapterId === null)) return "reopening";
  return "open";
}
