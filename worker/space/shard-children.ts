// A relay shard's children: the leaf shards under it, what each last reported (under the same lease the room applies to
// its own children), kept in the relay's storage so a relay woken from hibernation or restarted still reaches them;
// and its calls down to them, one stub per child so they arrive in order.
import { LISTENER_SAMPLE_SIZE, type ListenerEntry } from "../protocol/room.ts";
import type { ShardReport } from "./room-shards.ts";

type Child = { count: number; sample: ListenerEntry[]; present: string[]; reportedAt: number; expiresAt: number };

/** The relay's figures for its own report up: its children's counts summed, samples merged, who each leaf holds. */
export type ChildrenTotal = { count: number; sample: ListenerEntry[]; leaves: Record<string, string[]> };

/** `Stub` is a child shard's stub (generic so this file does not import the object that uses it). */
export class ShardChildren<Stub extends object> {
  private readonly children = new Map<string, Child>();
  private readonly stubs = new Map<string, Stub>();
  private readonly sql: SqlStorage;
  private readonly stubFor: (name: string) => Stub | null;

  /** `stubFor` names a child shard of this relay's Space (null when the relay no longer knows its Space). */
  constructor(sql: SqlStorage, stubFor: (name: string) => Stub | null) {
    this.sql = sql;
    this.stubFor = stubFor;
    sql.exec("CREATE TABLE IF NOT EXISTS shard_children (name TEXT PRIMARY KEY, json TEXT NOT NULL)");
    for (const row of sql.exec<{ name: string; json: string }>("SELECT name, json FROM shard_children").toArray()) {
      this.children.set(row.name, JSON.parse(row.json) as Child);
    }
  }

  get size(): number {
    return this.children.size;
  }

  /** The room put this leaf under the relay: frames reach it from now on; it counts from its first report. */
  adopt(name: string, leaseMs: number, now: number): void {
    if (this.children.has(name)) return;
    this.save(name, { count: 0, sample: [], present: [], reportedAt: 0, expiresAt: now + leaseMs });
  }

  /** A child's report replaces what it said before (older ones are ignored) and renews its lease. */
  report(name: string, report: ShardReport, now: number): void {
    const child = this.children.get(name);
    if (child && report.sentAt < child.reportedAt) return;
    this.save(name, { count: report.count, sample: report.sample, present: report.present, reportedAt: report.sentAt, expiresAt: now + report.leaseMs });
  }

  /** Children whose lease ran out stop counting (their listeners reconnect elsewhere); true when one did. */
  expire(now: number): boolean {
    let expired = false;
    for (const [name, child] of [...this.children]) {
      if (now < child.expiresAt) continue;
      this.children.delete(name);
      this.stubs.delete(name);
      this.sql.exec("DELETE FROM shard_children WHERE name = ?", name);
      expired = true;
    }
    return expired;
  }

  total(): ChildrenTotal {
    const total: ChildrenTotal = { count: 0, sample: [], leaves: {} };
    for (const [name, child] of this.children) {
      total.count += child.count;
      if (total.sample.length < LISTENER_SAMPLE_SIZE) total.sample.push(...child.sample.slice(0, LISTENER_SAMPLE_SIZE - total.sample.length));
      total.leaves[name] = child.present;
    }
    return total;
  }

  /** The same call to every child (a frame, a removal, the end); failures are logged, a silent child's lease ends. */
  each(step: string, send: (stub: Stub) => Promise<unknown>): Promise<unknown> {
    return Promise.allSettled([...this.children.keys()].map((name) => this.call(name, step, send)));
  }

  /** Forgets every child (the Space ended). */
  clear(): void {
    this.children.clear();
    this.stubs.clear();
    this.sql.exec("DELETE FROM shard_children");
  }

  private call(name: string, step: string, send: (stub: Stub) => Promise<unknown>): Promise<void> {
    let stub = this.stubs.get(name) ?? null;
    if (!stub) {
      stub = this.stubFor(name);
      if (!stub) return Promise.resolve();
      this.stubs.set(name, stub);
    }
    return send(stub).then(
      () => undefined,
      (error: unknown) => {
        // A broken stub stays broken: the next call makes a new one.
        this.stubs.delete(name);
        console.log(JSON.stringify({ event: "relay_call_failed", child: name, step, error: String(error) }));
      },
    );
  }

  private save(name: string, child: Child): void {
    this.children.set(name, child);
    this.sql.exec(
      "INSERT INTO shard_children (name, json) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET json = excluded.json",
      name,
      JSON.stringify(child),
    );
  }
}
