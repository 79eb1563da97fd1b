// The room's side of the shard tree, pure like the rest of transition(): admitting a listener to a shard (under a relay
// in a big room, room-relays.ts), a shard's or relay's leased count report (and who of the room's people it still
// holds), frames and reactions relayed by shards, lease expiry.
import type { ClientMessage, ListenerEntry, ReactionEmoji, ReactionSender } from "../protocol/room.ts";
import { roomError } from "../protocol/room-parse.ts";
import { applyFrame } from "./room-actions.ts";
import { personLeft, personReturned } from "./room-changes.ts";
import { adoptUnder, knownLeaves, moveUnderRelays, parseLeaf, relayHolding } from "./room-relays.ts";
import { isOnStage, newPerson, participantOf, shardConnection, snapshotFor, youOf, type Effects, type Identity, type Person, type RoomState, type ShardEntry } from "./room-model.ts";

/** What a shard tells the room: its exact count of distinct listeners, a sample for the audience grid, which of the
 *  people it forwarded frames for are still connected to it, and when it counted (older reports are ignored). */
export type ShardReport = {
  count: number;
  sample: ListenerEntry[];
  present: string[];
  sentAt: number;
  leaseMs: number;
  /** From a relay: each leaf shard under it, with who of the room's people that leaf still holds. */
  leaves?: Record<string, string[]>;
};

export type ShardEvent =
  /** `parent`: the relay the shard sits under (relayFor), with the fan-out that placed it there. */
  | { kind: "shard_admit"; identity: Identity; shard: string; leaseMs: number; parent?: string | null; fanout?: number | null }
  | { kind: "shard_report"; shard: string; report: ShardReport }
  | { kind: "shard_frame"; shard: string; identity: Identity; message: ClientMessage }
  | { kind: "shard_gone"; shard: string; userId: string }
  | { kind: "shard_reactions"; shard: string; counts: Partial<Record<ReactionEmoji, number>>; recent: ReactionSender[] };

function entryFor(state: RoomState, shard: string, leaseMs: number, now: number, out: Effects): ShardEntry {
  let entry = state.shards.get(shard);
  if (!entry) {
    entry = { count: 0, sample: [], leaseMs, expiresAt: now + leaseMs, reportedAt: 0 };
    state.shards.set(shard, entry);
    out.push({ kind: "schedule" });
  }
  return entry;
}

function setShardCount(state: RoomState, entry: ShardEntry, count: number, out: Effects): void {
  if (count === entry.count) return;
  state.listenerCount += count - entry.count;
  entry.count = count;
  state.peakListeners = Math.max(state.peakListeners, state.listenerCount);
  out.push({ kind: "count" });
}

/** Marks a remembered person as reached through `shard` again (after a wake, or their first frame from it). */
function reachVia(state: RoomState, person: Person, shard: string, out: Effects): void {
  person.via = shard;
  person.connections = new Set([shardConnection(shard)]);
  if (!personReturned(state, person, out)) return;
  // While away the room had no route to them (a relay's report can predate their leaf listing them): what changed for
  // them meanwhile, an approval say, reaches them now.
  out.send(person.userId, { type: "update", you: youOf(person) });
  if (isOnStage(person)) out.broadcast({ type: "update", participants: [participantOf(person)] });
}

/** A listener the room sends to a shard: counted at once (the shard's next report replaces the figure), snapshot back. */
function admit(state: RoomState, event: Extract<ShardEvent, { kind: "shard_admit" }>, now: number, out: Effects): void {
  const { identity, shard, leaseMs, parent } = event;
  if (state.phase === "ended") return out.reply(roomError("space_ended", "This Space has ended."));
  if (state.blocked.has(identity.userId)) return out.reply(roomError("blocked", "The host has blocked you from their Spaces."));
  const region = parseLeaf(shard)?.region;
  if (parent && region !== undefined && event.fanout) moveUnderRelays(state, region, event.fanout, out);
  const entry = parent
    ? adoptUnder(state, parent, shard, { count: 0, sample: [], leaseMs, expiresAt: now + leaseMs, reportedAt: 0 }, false, out)
    : entryFor(state, shard, leaseMs, now, out);
  const known = state.people.get(identity.userId);
  if (!known) setShardCount(state, entry, entry.count + 1, out);
  out.touchShards();
  out.reply(snapshotFor(state, known ?? newPerson(identity, "listener")));
}

function report(state: RoomState, shard: string, shardReport: ShardReport, now: number, out: Effects): void {
  // A leaf the room moved under a relay counts through that relay only (the room's answer tells it so).
  if (state.phase === "ended" || relayHolding(state, shard) !== null) return;
  const entry = entryFor(state, shard, shardReport.leaseMs, now, out);
  if (shardReport.sentAt < entry.reportedAt) return;
  entry.reportedAt = shardReport.sentAt;
  entry.leaseMs = shardReport.leaseMs;
  entry.expiresAt = now + shardReport.leaseMs;
  entry.sample = shardReport.sample;
  setShardCount(state, entry, shardReport.count, out);
  // Who is still there, and through which leaf (a relay's report says it per leaf).
  const reached = new Map<string, string>(shardReport.present.map((userId) => [userId, shard]));
  if (shardReport.leaves) entry.leaves ??= [];
  for (const [leaf, present] of Object.entries(shardReport.leaves ?? {})) {
    for (const userId of present) reached.set(userId, leaf);
    if (!entry.leaves!.includes(leaf)) entry.leaves!.push(leaf);
  }
  const covered = routesThrough(shard, entry);
  for (const person of [...state.people.values()]) {
    if (person.via !== null && covered.has(person.via) && !reached.has(person.userId)) personLeft(state, person, now, out);
  }
  for (const [userId, leaf] of reached) {
    const person = state.people.get(userId);
    if (person && person.connections.size === 0) reachVia(state, person, leaf, out);
  }
  out.touchShards();
}

/** The routes a shard's report speaks for: the shard itself (a relay reaches people it sampled), and a relay's leaves. */
const routesThrough = (shard: string, entry: ShardEntry) => new Set([shard, ...(entry.leaves ?? [])]);

/** A frame from a listener on a shard: the room acts on it as on its own socket's, and remembers the route. */
function frame(state: RoomState, shard: string, identity: Identity, message: ClientMessage, now: number, out: Effects): void {
  if (state.phase === "ended") return out.reply(roomError("space_ended", "This Space has ended.", message.type));
  if (state.blocked.has(identity.userId)) return out.reply(roomError("blocked", "The host has blocked you from their Spaces."));
  let person = state.people.get(identity.userId);
  if (!person) {
    person = newPerson(identity, "listener");
    state.people.set(person.userId, person);
  }
  person.handle = identity.handle;
  person.displayName = identity.displayName;
  person.hostFollows = identity.hostFollows;
  if (person.connections.size === 0 || person.via !== null) reachVia(state, person, shard, out);
  applyFrame(state, person, message, now, out);
}

function gone(state: RoomState, shard: string, userId: string, now: number, out: Effects): void {
  const person = state.people.get(userId);
  if (person?.via === shard) personLeft(state, person, now, out);
}

/** Shards whose lease ran out stop counting, and the people reached through them start their grace period. */
export function expireShards(state: RoomState, now: number, out: Effects): void {
  for (const [shard, entry] of [...state.shards]) {
    if (now < entry.expiresAt) continue;
    setShardCount(state, entry, 0, out);
    state.shards.delete(shard);
    out.touchShards();
    const covered = routesThrough(shard, entry);
    for (const person of [...state.people.values()]) if (person.via !== null && covered.has(person.via)) personLeft(state, person, now, out);
  }
}

/** The earliest lease end, or null with no shards. */
export function nextLeaseEnd(state: RoomState): number | null {
  let next: number | null = null;
  for (const entry of state.shards.values()) if (next === null || entry.expiresAt < next) next = entry.expiresAt;
  return next;
}

/**
 * Which shard a joining person's socket should go to, or null for the room itself: stage members and anyone the room
 * remembers stay with the room (or on the shard that already reaches them); plain listeners go to shards once the room
 * holds `threshold` listeners, spread by a hash of their id so a second tab lands on the same shard.
 */
export function shardRoute(state: RoomState, userId: string, placement: { threshold: number | null; capacity: number; region: string }): string | null {
  const person = state.people.get(userId);
  if (person) return person.via && parseLeaf(person.via) ? person.via : null;
  if (placement.threshold === null || state.phase !== "live" || state.listenerCount < placement.threshold) return null;
  return `${placement.region}-${hashOf(userId) % bucketsFor(state, placement.capacity)}`;
}

/** Leaf buckets a joining listener is spread over: they grow in powers of two, so where someone may sit is one of a
 *  few names (shardsThatMayHold). */
export function bucketsFor(state: RoomState, capacity: number): number {
  let buckets = 1;
  while (buckets * capacity < state.listenerCount + 1) buckets *= 2;
  return buckets;
}

/**
 * The shards that may hold this person's socket, their own region's first: for each region, the bucket their id
 * hashes to at every power-of-two bucket count that region has used. The room keeps no list of who is where, so this
 * is how it finds a listener (a handful of names at most, usually one).
 */
export function shardsThatMayHold(state: RoomState, userId: string, region: string | null): string[] {
  const leaves = knownLeaves(state);
  const largest = new Map<string, number>();
  for (const name of leaves) {
    const { region: prefix, index } = parseLeaf(name)!;
    largest.set(prefix, Math.max(largest.get(prefix) ?? 0, index));
  }
  const hash = hashOf(userId);
  const names: string[] = [];
  const regions = [...largest.keys()].sort((a, b) => Number(b === region) - Number(a === region));
  for (const prefix of regions) {
    for (let buckets = 1; buckets === 1 || buckets / 2 <= largest.get(prefix)!; buckets *= 2) {
      const name = `${prefix}-${hash % buckets}`;
      if (leaves.has(name) && !names.includes(name)) names.push(name);
    }
  }
  return names;
}

function hashOf(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}

export function shardTransition(state: RoomState, event: ShardEvent, now: number, out: Effects): void {
  switch (event.kind) {
    case "shard_admit":
      return admit(state, event, now, out);
    case "shard_report":
      return report(state, event.shard, event.report, now, out);
    case "shard_frame":
      return frame(state, event.shard, event.identity, event.message, now, out);
    case "shard_gone":
      return gone(state, event.shard, event.userId, now, out);
    case "shard_reactions":
      if (state.phase === "live") out.push({ kind: "react_batch", counts: event.counts, recent: event.recent });
      return;
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}
