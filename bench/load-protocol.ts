// Messages between the bench orchestrator (load-pool.ts) and its load-generator processes (load-worker.ts).

/** One socket to open: the full ws:// URL, with whatever token or user id the target needs. */
export type LoadTarget = { url: string };

export type LoadRequest =
  /** Opens sockets `concurrency` at a time; `keep: false` closes each right after its snapshot (join probes). */
  | { op: "connect"; targets: LoadTarget[]; concurrency: number; keep: boolean }
  /** Zeroes the counters; the first `probes` sockets start keeping receive timelines. */
  | { op: "reset"; probes: number }
  | { op: "counts" }
  | { op: "send"; rate: number; durationMs: number }
  /** Ends a running `send` early (the server is drowning); its reply then carries what was sent so far. */
  | { op: "stop-sending" }
  | { op: "timelines" }
  | { op: "close" };

export type LoadReply =
  | { kind: "ok" }
  | { kind: "joined"; connectMs: number[]; openToSnapshotMs: number[]; errors: string[]; failed: number }
  | { kind: "counts"; sockets: number; frames: number; reactionFrames: number; reactions: number }
  /** Epoch milliseconds (sub-ms precision) at which each reaction was sent. */
  | { kind: "sent"; sentAt: number[] }
  /** Per probe socket: flat pairs [receivedAt, cumulativeReactions, …]. */
  | { kind: "timelines"; timelines: number[][] };
