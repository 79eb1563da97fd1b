// The bench's plan: how many probes, listeners, rates and repetitions one run uses (scaled by env for quick runs).
export type BenchPlan = {
  probes: number;
  /** Unmeasured joins first, so the 0-listener figures are not a cold JIT's. */
  warmupJoins: number;
  fanoutListeners: number;
  maxListeners: number;
  rates: number[];
  sendMs: (rate: number) => number;
  drainCapMs: number;
  /** Sockets opened at once per load process while filling the room. */
  connectConcurrency: number;
  probeSockets: number;
  /** A peer that buffers an unbounded backlog is stopped here, before it takes the shared machine down with it. */
  rssCapBytes: number;
};
