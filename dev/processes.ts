// The local servers' process life: wait until a child process answers, stop it (TERM, then KILL), and stop this
// process cleanly on Ctrl-C. One copy for dev/ and bench/ (bench may import dev/, never test/).
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Stops a child: SIGTERM, then SIGKILL when it has not exited within graceMs. Harmless on one already gone. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (exited(child)) return;
  // A failed kill emits "error" instead of "exit"; either way there is nothing more to wait for.
  const exit = once(child, "exit").catch(() => []);
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), graceMs)));
  const outcome = await Promise.race([exit, deadline]);
  clearTimeout(timer);
  if (outcome === "late" && !exited(child)) {
    child.kill("SIGKILL");
    await exit;
  }
}

export type WaitOptions = {
  timeoutMs?: number;
  /** The child's recent output, added to the error when it exits or never answers. */
  output?: () => string;
};

/**
 * Waits until `answers` holds for a server the child runs, checking every 250 ms: a server gives no event when it
 * starts listening, so asking is the only way to know. Fails once the child exits, or after timeoutMs.
 */
export async function waitForChild(
  child: ChildProcess,
  what: string,
  answers: () => Promise<boolean>,
  { timeoutMs = 60_000, output = () => "" }: WaitOptions = {},
): Promise<void> {
  const tail = () => (output() ? `:\n${output().slice(-4000)}` : "");
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited(child)) throw new Error(`${what} exited with ${child.exitCode ?? child.signalCode}${tail()}`);
    if (await answers().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not answer within ${timeoutMs / 1000}s${tail()}`);
}

/** Waits until the Worker at `url` answers GET /api/health with 2xx. */
export function waitForHealth(url: string, child: ChildProcess, options: WaitOptions = {}): Promise<void> {
  const healthy = async () => (await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5000) })).ok;
  return waitForChild(child, `the Worker at ${url}`, healthy, options);
}

/** Runs `stop` once, on the first of SIGINT, SIGTERM or SIGHUP, then exits with status 0. */
export function stopOnSignals(stop: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void stop(signal).then(() => process.exit(0));
    });
  }
}
