// The adapter watchdog's rules: an adapter is replaced only after its socket was down past the SFU's redial window,
// a drop seen only at a check (after a reset) starts the window then, and Calls refusals back off and end in "failed".
import { describe, expect, it } from "vitest";
import {
  afterAttempt,
  freshHealth,
  MAX_REOPEN_ATTEMPTS,
  retryDelayMs,
  STALE_AFTER_MS,
  stateOf,
  WATCH_PERIOD_MS,
  watchStep,
  type AdapterHealth,
} from "../../worker/media/adapter-watchdog.ts";

const NOW = 1_000_000;
const connectedOnce: AdapterHealth = { ...freshHealth("u1", "k1"), connectedOnce: true };

describe("watchStep", () => {
  it("leaves an opening in flight and one the SFU never reached alone", () => {
    expect(watchStep(null, "a1", false, NOW)).toEqual({ kind: "fine", checkAt: null });
    expect(watchStep(freshHealth("u1", "k1"), "a1", false, NOW)).toEqual({ kind: "fine", checkAt: null });
    expect(watchStep(connectedOnce, null, false, NOW)).toEqual({ kind: "fine", checkAt: null });
  });

  it("checks a connected adapter periodically (a reset sends no close event)", () => {
    expect(watchStep(connectedOnce, "a1", true, NOW)).toEqual({ kind: "fine", checkAt: NOW + WATCH_PERIOD_MS });
  });

  it("notes a drop found at a check, waits out the redial window, then reopens", () => {
    expect(watchStep(connectedOnce, "a1", false, NOW)).toEqual({ kind: "mark_dropped", droppedAt: NOW, checkAt: NOW + STALE_AFTER_MS });
    const dropped = { ...connectedOnce, droppedAt: NOW };
    expect(watchStep(dropped, "a1", false, NOW + STALE_AFTER_MS - 1)).toEqual({ kind: "fine", checkAt: NOW + STALE_AFTER_MS });
    expect(watchStep(dropped, "a1", false, NOW + STALE_AFTER_MS)).toEqual({ kind: "reopen", droppedForMs: STALE_AFTER_MS });
    expect(STALE_AFTER_MS).toBeGreaterThan(5_000);
  });

  it("retries a refused reopen at its time, and never once failed", () => {
    const waiting = afterAttempt("u1", "k2", 1, false, NOW);
    expect(waiting.retryAt).toBe(NOW + retryDelayMs(1));
    expect(watchStep(waiting, null, false, NOW)).toEqual({ kind: "fine", checkAt: waiting.retryAt });
    expect(watchStep(waiting, null, false, waiting.retryAt!)).toEqual({ kind: "reopen", droppedForMs: null });
    const failed = afterAttempt("u1", "k5", MAX_REOPEN_ATTEMPTS, false, NOW);
    expect(failed).toMatchObject({ failed: true, retryAt: null });
    expect(watchStep(failed, null, false, NOW + 3_600_000)).toEqual({ kind: "fine", checkAt: null });
  });
});

describe("back-off and state", () => {
  it("doubles the wait from 2 s up to 30 s", () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(retryDelayMs)).toEqual([2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it("names what the room may show", () => {
    expect(stateOf(null, "a1")).toBe("open");
    expect(stateOf(connectedOnce, "a1")).toBe("open");
    expect(stateOf({ ...connectedOnce, droppedAt: NOW }, "a1")).toBe("reopening");
    expect(stateOf(afterAttempt("u1", "k2", 1, false, NOW), null)).toBe("reopening");
    expect(stateOf(afterAttempt("u1", "k2", 1, true, NOW), "a2")).toBe("open");
    expect(stateOf(afterAttempt("u1", "k2", MAX_REOPEN_ATTEMPTS, false, NOW), null)).toBe("failed");
  });
});
