// Small numeric and timing helpers the bench shares: percentiles, medians with their spread, and one sleep.

/** Nearest-rank percentile of unsorted samples (NaN when there are none). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The middle value (mean of the two middle ones for an even count); NaN when there are none. */
export function median(values: number[]): number {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const mid = Math.floor(finite.length / 2);
  return finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

/** Median of the repetitions with their min and max: how every figure of the bench is reported. */
export type Spread = { median: number; min: number; max: number; runs: number[] };

export function spreadOf(runs: number[]): Spread {
  const finite = runs.filter(Number.isFinite);
  return {
    median: median(finite),
    min: finite.length ? Math.min(...finite) : Number.NaN,
    max: finite.length ? Math.max(...finite) : Number.NaN,
    runs,
  };
}

/** Waiting between polls of something that has no event to wait for (a process's CPU counters, a port). */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
