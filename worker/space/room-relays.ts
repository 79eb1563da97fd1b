// The relay level of the shard tree, pure: shard names, which relay a leaf shard sits under once a region's shards
// outnumber the fan-out (SHARD_FANOUT children per object), and moving a region's leaves under relays when that happens.
import { LISTENER_SAMPLE_SIZE } from "../protocol/room.ts";
import type { Effects, RoomState, ShardEntry } from "./room-model.ts";

/** Leaf shards (they hold sockets) are `<region>-<n>`; relays (they hold leaf shards) are `<region>-r<k>`. */
const LEAF = /^(.+)-(\d+)$/;
const RELAY = /^(.+)-r(\d+)$/;

export const parseLeaf = (name: string) => {
  const match = LEAF.exec(name);
  return match ? { region: match[1]!, index: Number(match[2]) } : null;
};

export const relayRegion = (name: string) => RELAY.exec(name)?.[1] ?? null;

export const relayName = (region: string, k: number) => `${region}-r${k}`;

/** Whether this entry of the room's table is a relay (it lists the leaves under it). */
export const isRelayEntry = (entry: ShardEntry) => entry.leaves !== undefined;

/** Every leaf shard the room knows of: its own direct children that are leaves, and the leaves under its relays. */
export function knownLeaves(state: RoomState): Set<string> {
  const leaves = new Set<string>();
  for (const [name, entry] of state.shards) {
    if (entry.leaves) for (const leaf of entry.leaves) leaves.add(leaf);
    else if (parseLeaf(name)) leaves.add(name);
  }
  return leaves;
}

/** The relay the room lists this leaf under, or null when it reports to the room itself. */
export function relayHolding(state: RoomState, leaf: string): string | null {
  for (const [name, entry] of state.shards) if (entry.leaves?.includes(leaf)) return name;
  return null;
}

/**
 * The relay a joining listener's leaf shard goes under, or null for the room itself: relays switch on for a region
 * once it uses more leaf buckets than `fanout` (or already has relays, so a shrinking room does not flip back and
 * forth); leaf `n` then sits under relay `floor(n / fanout)`. Depth stays 3: the room calls buckets / fanout relays.
 */
export function relayFor(state: RoomState, leaf: string, buckets: number, fanout: number | null): string | null {
  const parsed = parseLeaf(leaf);
  if (fanout === null || !parsed) return null;
  const listed = relayHolding(state, leaf);
  if (listed) return listed;
  const on = buckets > fanout || [...state.shards.keys()].some((name) => relayRegion(name) === parsed.region);
  return on ? relayName(parsed.region, Math.floor(parsed.index / fanout)) : null;
}

/** The room's entry for a relay (created on first use), with `leaf` listed under it; the relay is told to adopt it. */
export function adoptUnder(state: RoomState, relay: string, leaf: string, entry: ShardEntry, reparent: boolean, out: Effects): ShardEntry {
  let parent = state.shards.get(relay);
  if (!parent) {
    parent = { count: 0, sample: [], leaseMs: entry.leaseMs, expiresAt: entry.expiresAt, reportedAt: 0, leaves: [] };
    state.shards.set(relay, parent);
    out.push({ kind: "schedule" });
  }
  parent.leaves ??= [];
  if (!parent.leaves.includes(leaf)) {
    parent.leaves.push(leaf);
    out.push({ kind: "adopt", relay, leaf, leaseMs: parent.leaseMs, reparent });
  }
  out.touchShards();
  return parent;
}

/**
 * Relays just switched on for `region`: its leaves that report to the room directly move under their relays, counts
 * and samples with them (the total stays the same), and each leaf is told its new parent. Until a relay's first report
 * the room counts what its leaves last reported.
 */
export function moveUnderRelays(state: RoomState, region: string, fanout: number, out: Effects): void {
  for (const [name, entry] of [...state.shards]) {
    const parsed = parseLeaf(name);
    if (!parsed || parsed.region !== region || isRelayEntry(entry)) continue;
    state.shards.delete(name);
    const parent = adoptUnder(state, relayName(region, Math.floor(parsed.index / fanout)), name, entry, true, out);
    parent.count += entry.count;
    parent.sample = [...parent.sample, ...entry.sample].slice(0, LISTENER_SAMPLE_SIZE);
    parent.expiresAt = Math.max(parent.expiresAt, entry.expiresAt);
  }
}
