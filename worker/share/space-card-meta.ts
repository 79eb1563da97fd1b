// Facts a Space's share card shows (status words, size) and their short version key: the image URL carries the key,
// so a changed Space gets a new URL (crawlers refetch) and an unchanged one is served from cache.
import type { SpaceView } from "../protocol/api.ts";

export const SPACE_CARD_SIZE = { width: 1200, height: 630 } as const;

/** Bumped when the card's design changes, so cached images of the old design are not reused. */
const DESIGN = 1;

/** FNV-1a over the fields the card draws; 8 hex characters. */
export function spaceCardVersion(space: SpaceView): string {
  const drawn = [DESIGN, space.state, space.title, space.host.displayName, space.host.handle, space.scheduledFor ?? ""].join("\u0000");
  let hash = 0x811c9dc5;
  for (let i = 0; i < drawn.length; i++) {
    hash ^= drawn.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

const whenFormat = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/** "Live now", "Scheduled for Nov 28, 2026, 6:00 PM UTC", …: the same words on the image, the meta and the embed. */
export function spaceStatusLine(space: Pick<SpaceView, "state" | "scheduledFor">): string {
  switch (space.state) {
    case "live":
      return "Live now";
    case "scheduled":
      return space.scheduledFor ? `Scheduled for ${whenFormat.format(new Date(space.scheduledFor))} UTC` : "Scheduled";
    case "draft":
      return "Not started yet";
    case "ended":
      return "Ended";
    case "cancelled":
      return "Cancelled";
    default: {
      const unknown: never = space.state;
      return unknown;
    }
  }
}
