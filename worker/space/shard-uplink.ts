// A shard's way up the tree: its leased count report (coalesced, one at a time so they arrive in the order they were
// counted, renewed from the alarm every third of the lease) and its reactions batches, to its relay or to the room.
import type { ReactionsMessage } from "../protocol/room.ts";
import type { ShardReport } from "./room-shards.ts";
import type { ShardAddress } from "./shard-wire.ts";

/** Count reports are coalesced to one per this many ms (joins and leaves in a burst make one report). */
const REPORT_MS = 200;

/** Whoever a shard reports to: its relay, or the room at the top. `parent` in the answer: report there instead. */
export interface Upstream {
  report(report: ShardReport): Promise<{ live: boolean; parent?: string | null }>;
  reactions(batch: ReactionsMessage): Promise<void>;
}

export interface UplinkParts {
  readonly storage: DurableObjectStorage;
  address(): ShardAddress | null;
  /** The shard's figures now: its own sockets' and, on a relay, its children's. */
  figures(address: ShardAddress): Omit<ShardReport, "sentAt" | "leaseMs">;
  up(address: ShardAddress): Upstream;
  /** The room moved this leaf under a relay. */
  moved(address: ShardAddress): void;
  /** The room has ended: close everything here. */
  ended(): Promise<void>;
  log(event: string, error: unknown): void;
}

export class ShardUplink {
  private readonly parts: UplinkParts;
  private reportTimer: ReturnType<typeof setTimeout> | null = null;
  private reporting: Promise<void> = Promise.resolve();
  private alarmSet = false;

  constructor(parts: UplinkParts) {
    this.parts = parts;
  }

  reportSoon(): void {
    if (this.reportTimer !== null) return;
    this.reportTimer = setTimeout(() => {
      this.reportTimer = null;
      void this.report();
    }, REPORT_MS);
  }

  /** One report at a time, so the parent sees them in the order they were counted. */
  report(): Promise<void> {
    this.reporting = this.reporting.then(() => this.sendReport()).catch((error: unknown) => this.parts.log("shard_report_failed", error));
    return this.reporting;
  }

  /** Sets the renewal alarm unless one is pending. */
  async keepLease(): Promise<void> {
    const address = this.parts.address();
    if (this.alarmSet || !address) return;
    this.alarmSet = true;
    await this.parts.storage.setAlarm(Date.now() + Math.max(500, Math.floor(address.leaseMs / 3)));
  }

  /** The renewal alarm fired (the next one is set by keepLease). */
  alarmFired(): void {
    this.alarmSet = false;
  }

  reactions(batch: ReactionsMessage): void {
    const address = this.parts.address();
    if (!address) return;
    this.parts.up(address).reactions(batch).catch((error: unknown) => this.parts.log("shard_reactions_failed", error));
  }

  private async sendReport(): Promise<void> {
    const address = this.parts.address();
    if (!address) return;
    const report: ShardReport = { ...this.parts.figures(address), sentAt: Date.now(), leaseMs: address.leaseMs };
    const answer = await this.parts.up(address).report(report);
    // The room has ended (and its end frame may have missed this shard): nobody should stay.
    if (!answer.live) return this.parts.ended();
    // The room moved this leaf under a relay (and its word to the leaf went missing): report there instead.
    if (answer.parent && answer.parent !== address.parent) {
      this.parts.moved({ ...address, parent: answer.parent });
      void this.report();
    }
  }
}
