// Messages between the bench orchestrator (load-pool.ts) and its load-generator processes (load-worker.ts).

/**
 * One socket to open, offering `protocols` (Spaces: `["spaces", joinToken]`, the token kept out of the URL). `join`,
 * when present, is the POST that hands out the socket's token (Spaces' POST /join): the load process calls it first,
 * inside the timed join, and opens the socket with the `protocols` it answered.
 */
export type LoadTarget = { url: string; protocols?: string[]; join?: { url: string; headers: Record<string, string> } };

/**
 * Reactions are told apart by emoji: each load process sends its own emoji, one per sender stream, so every listener
 * can count what it saw of each sender whatever the target coalesces (the same count for all three targets).
 */
export type PerEmoji = Record<string, number>;

export type LoadRequest =
  /** Opens sockets `concurrency` at a time; `keep: false` closes each right after its snapshot (join probes). */
  | { op: "connect"; targets: LoadTarget[]; concurrency: number; keep: boolean }
  /** Zeroes the counters; the first `probes` sockets start keeping receive timelines. */
  | { op: "reset"; probes: number }
  /** `sent`: reactions sent per emoji so far, so a listener counts at most what each sender sent. */
  | { op: "counts"; sent: PerEmoji }
  | { op: "send"; rate: number; durationMs: number }
  /** Ends a running `send` early (the server is drowning); its reply then carries what was sent so far. */
  | { op: "stop-sending" }
  | { op: "timelines" }
  /** Closes this process's sockets beyond its first `keep` (the oldest stay). */
  | { op: "trim"; keep: number }
  | { op: "close" };

export type LoadReply =
  | { kind: "ok" }
  | { kind: "joined"; connectMs: number[]; joinPostMs: number[]; openToSnapshotMs: number[]; errors: string[]; failed: number }
  /**
   * `delivered`: over this process's sockets, the sum per sender of min(seen, sent); `seen`: every reaction counted,
   * duplicates included.
   */
  | { kind: "counts"; sockets: number; frames: number; reactionFrames: number; delivered: number; seen: number }
  /** Per emoji, epoch milliseconds (sub-ms precision) at which each reaction was sent. */
  | { kind: "sent"; sentAt: Record<string, number[]> }
  /** Per probe socket: flat triples [receivedAt, emojiIndex, cumulativeOfThatEmoji, …]; and when each frame arrived. */
  | { kind: "timelines"; timelines: number[][]; frameTimes: number[][] };
