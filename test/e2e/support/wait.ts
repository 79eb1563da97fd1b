// Waiting in browser tests for state that announces no event of its own (an SFU track's status, the notifications
// a service worker shows): ask again every few milliseconds until the answer is the one wanted, within a deadline.

/** Reads until `done` holds for the answer or `timeoutMs` passes; returns the last answer, for the assertion. */
export async function waitUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    value = await read();
  }
  return value;
}
