// The bench's load generator: a few forked `ws` client processes (load-worker.ts) driven over IPC, plus helpers that
// spread sockets across them and merge their answers, and one more process that only times join probes. Their pids are
// exposed so their CPU can be reported too.
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { LoadReply, LoadRequest, LoadTarget, PerEmoji } from "./load-protocol.ts";

type Pending = { resolve: (reply: LoadReply) => void; reject: (error: Error) => void };

class LoadProcess {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(index: number, of: number) {
    this.child = fork(join(import.meta.dirname, "load-worker.ts"), [String(index), String(of)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.child.on("message", (message: { id: number; reply: LoadReply }) => {
      this.pending.get(message.id)?.resolve(message.reply);
      this.pending.delete(message.id);
    });
    this.child.on("exit", (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`a load process exited with ${code}`));
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  ask(request: LoadRequest): Promise<LoadReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, request });
    });
  }

  stop(): void {
    this.child.kill("SIGTERM");
  }
}

function expect<K extends LoadReply["kind"]>(reply: LoadReply, kind: K): Extract<LoadReply, { kind: K }> {
  if (reply.kind !== kind) throw new Error(`load process answered ${reply.kind}, expected ${kind}`);
  return reply as Extract<LoadReply, { kind: K }>;
}

export type JoinResult = { connectMs: number[]; joinPostMs: number[]; openToSnapshotMs: number[]; failed: number; errors: string[] };
export type Counts = { sockets: number; frames: number; reactionFrames: number; delivered: number; seen: number };
/** Send times of every reaction, by emoji (one emoji = one sender stream). */
export type SentAt = Record<string, number[]>;

export class LoadPool {
  private readonly processes: LoadProcess[];
  /**
   * Join probes run here, in a process that holds no audience: a listener's own device does not also receive every
   * frame of thousands of other sockets, and a probe timed in a process that does waits behind their bursts (a
   * listener-count broadcast to 5k sockets is 2.5k frames per load process at once).
   */
  private readonly prober: LoadProcess;

  constructor(size: number) {
    this.processes = Array.from({ length: size }, (_, i) => new LoadProcess(i, size));
    this.prober = new LoadProcess(0, 1);
  }

  get pids(): number[] {
    return [...this.processes, this.prober].map((p) => p.pid);
  }

  private all(request: LoadRequest): Promise<LoadReply[]> {
    return Promise.all(this.processes.map((p) => p.ask(request)));
  }

  /**
   * Opens the sockets spread evenly over the processes, `concurrency` per process; probes (`keep: false`, each closed
   * after its snapshot) all go to the probe process, `concurrency` at a time.
   */
  async connect(targets: LoadTarget[], concurrency: number, keep: boolean): Promise<JoinResult> {
    const replies = keep
      ? await Promise.all(
          this.processes.map((p, i) =>
            p.ask({ op: "connect", targets: targets.filter((_, t) => t % this.processes.length === i), concurrency, keep }),
          ),
        )
      : [await this.prober.ask({ op: "connect", targets, concurrency, keep })];
    const result: JoinResult = { connectMs: [], joinPostMs: [], openToSnapshotMs: [], failed: 0, errors: [] };
    for (const reply of replies.map((r) => expect(r, "joined"))) {
      result.connectMs.push(...reply.connectMs);
      result.joinPostMs.push(...reply.joinPostMs);
      result.openToSnapshotMs.push(...reply.openToSnapshotMs);
      result.failed += reply.failed;
      result.errors.push(...reply.errors);
    }
    return result;
  }

  async reset(probesTotal: number): Promise<void> {
    await this.all({ op: "reset", probes: Math.ceil(probesTotal / this.processes.length) });
  }

  /** What the listeners saw; `sent` caps each listener's count per sender at what that sender sent. */
  async counts(sent: SentAt): Promise<Counts> {
    const perEmoji: PerEmoji = Object.fromEntries(Object.entries(sent).map(([emoji, times]) => [emoji, times.length]));
    const total: Counts = { sockets: 0, frames: 0, reactionFrames: 0, delivered: 0, seen: 0 };
    for (const reply of (await this.all({ op: "counts", sent: perEmoji })).map((r) => expect(r, "counts"))) {
      total.sockets += reply.sockets;
      total.frames += reply.frames;
      total.reactionFrames += reply.reactionFrames;
      total.delivered += reply.delivered;
      total.seen += reply.seen;
    }
    return total;
  }

  /** Sends `rate` reactions a second in total for `durationMs`; returns every send time by emoji. */
  async send(rate: number, durationMs: number): Promise<SentAt> {
    const share = rate / this.processes.length;
    const replies = await this.all({ op: "send", rate: share, durationMs });
    return Object.assign({}, ...replies.map((r) => expect(r, "sent").sentAt)) as SentAt;
  }

  async stopSending(): Promise<void> {
    await this.all({ op: "stop-sending" });
  }

  /** Per probe socket: its reaction timeline and when each of its frames arrived. */
  async timelines(): Promise<{ timelines: number[][]; frameTimes: number[][] }> {
    const replies = (await this.all({ op: "timelines" })).map((r) => expect(r, "timelines"));
    return { timelines: replies.flatMap((r) => r.timelines), frameTimes: replies.flatMap((r) => r.frameTimes) };
  }

  /** Keeps the `total` oldest sockets (spread evenly, as connect spreads them) and closes the rest. */
  async trim(total: number): Promise<void> {
    await this.all({ op: "trim", keep: Math.ceil(total / this.processes.length) });
  }

  async closeAll(): Promise<void> {
    await this.all({ op: "close" });
  }

  stop(): void {
    for (const p of [...this.processes, this.prober]) p.stop();
  }
}
