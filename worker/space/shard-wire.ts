// What the Worker, the room and its shards pass each other when a socket is placed: header names and their shapes.
// Clients never reach a Durable Object directly, so these headers only ever come from the Worker.
import type { SnapshotMessage } from "../protocol/room.ts";

/** Worker → room: where shards would go for this join, from the Worker's settings and the request's location. */
export const PLACEMENT_HEADER = "X-Spaces-Placement";
/** Room → Worker: this join goes to the shard named in the JSON body (an `Admission`), not to the room. */
export const ROUTE_HEADER = "X-Spaces-Route";
/** Worker → shard: which room and shard this socket belongs to, and the room's snapshot to send first. */
export const SHARD_HEADER = "X-Spaces-Shard";
export const SNAPSHOT_HEADER = "X-Spaces-Snapshot";

export type Placement = { threshold: number | null; capacity: number; leaseMs: number; region: string; locationHint: string | null; fanout?: number | null };
/** `parent`: the relay the shard reports to, or null when it reports to the room. */
export type Admission = { shard: string; snapshot: SnapshotMessage; parent?: string | null };
export type ShardAddress = { spaceId: string; shard: string; leaseMs: number; parent?: string | null };

/** Header values are bytes and names are not ASCII: JSON travels percent-encoded. */
export const encodeHeader = (value: unknown) => encodeURIComponent(JSON.stringify(value));

export function decodeHeader<T>(header: string | null, valid: (value: Partial<T>) => boolean): T | null {
  if (!header) return null;
  try {
    const value = JSON.parse(decodeURIComponent(header)) as Partial<T>;
    return value && typeof value === "object" && valid(value) ? (value as T) : null;
  } catch {
    return null;
  }
}

export const parsePlacement = (header: string | null) =>
  decodeHeader<Placement>(header, (p) => typeof p.capacity === "number" && typeof p.leaseMs === "number" && typeof p.region === "string");

export const parseShardAddress = (header: string | null) =>
  decodeHeader<ShardAddress>(
    header,
    (a) => typeof a.spaceId === "string" && typeof a.shard === "string" && typeof a.leaseMs === "number" && (a.parent == null || typeof a.parent === "string"),
  );

const HINTS = new Set(["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"]);
const MIDDLE_EAST = new Set(["AE", "BH", "IL", "IQ", "IR", "JO", "KW", "LB", "OM", "QA", "SA", "SY", "YE"]);

/**
 * The Durable Object location hint for shards of listeners joining through this request: the setting when one is
 * given (locally, or to pin shards), else from the Worker's `request.cf` (continent, and longitude to split the
 * Americas and Europe). Null when nothing says where the listener is.
 */
export function locationHintFor(setting: string, cf: { continent?: unknown; country?: unknown; longitude?: unknown } | undefined): string | null {
  if (HINTS.has(setting)) return setting;
  if (!cf) return null;
  const longitude = Number(cf.longitude);
  if (typeof cf.country === "string" && MIDDLE_EAST.has(cf.country)) return "me";
  switch (cf.continent) {
    case "NA":
      return Number.isFinite(longitude) && longitude < -100 ? "wnam" : "enam";
    case "SA":
      return "sam";
    case "EU":
      return Number.isFinite(longitude) && longitude > 20 ? "eeur" : "weur";
    case "AS":
      return "apac";
    case "OC":
      return "oc";
    case "AF":
      return "afr";
    default:
      return null;
  }
}

/** The region part of a shard's name for a listener joining (or calling) through this request: its location hint, or
 *  "any" when there is none. */
export const shardRegionFor = (setting: string, cf: Record<string, unknown> | undefined) => locationHintFor(setting, cf) ?? "any";
