// The share-card image of a Space (1200×630 PNG): brand, live/scheduled badge, title, and the host's avatar with the
// live ring, in the web app's purple.
import type { SpaceView } from "../protocol/api.ts";
import { encodePng } from "./png-encode.ts";
import { loadFont, Raster, type Rgb } from "./raster.ts";
import { spaceStatusLine, SPACE_CARD_SIZE } from "./space-card-meta.ts";

const WHITE: Rgb = [255, 255, 255];
const LAVENDER: Rgb = [196, 181, 253];
const RING: Rgb = [167, 139, 250];
const LIVE_RED: Rgb = [225, 29, 72];
const MARGIN = 80;

/** The web app's avatar colour (format.ts avatarHue, hsl(h 45% 38%)). */
function avatarColor(handle: string): Rgb {
  let hue = 0;
  for (const char of handle) hue = (hue * 31 + char.charCodeAt(0)) % 360;
  const s = 0.45;
  const l = 0.38;
  const k = (n: number) => (n + hue / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number) => Math.round(255 * (l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1))));
  return [channel(0), channel(8), channel(4)];
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? "?") + (parts[1]?.[0] ?? "")).toUpperCase();
}

function badge(card: Raster, space: SpaceView, y: number): void {
  const live = space.state === "live";
  const label = live ? "LIVE NOW" : spaceStatusLine(space);
  const size = 30;
  const dot = live ? 30 : 0;
  const width = Math.ceil(card.measure(label, size)) + 48 + dot;
  card.pill(MARGIN, y, width, 52, live ? LIVE_RED : [237, 233, 254]);
  if (live) card.circle(MARGIN + 34, y + 26, 8, WHITE);
  card.text(label, MARGIN + 24 + dot, y + 37, size, live ? WHITE : [76, 29, 149]);
}

function host(card: Raster, space: SpaceView): void {
  const cx = MARGIN + 52;
  const cy = SPACE_CARD_SIZE.height - 60 - 50;
  if (space.state === "live") card.circle(cx, cy, 62, RING, 55);
  card.circle(cx, cy, 50, avatarColor(space.host.handle));
  const letters = initials(space.host.displayName);
  card.text(letters, cx - card.measure(letters, 36) / 2, cy + 13, 36, WHITE);
  const textX = cx + 84;
  card.text(card.wrap(space.host.displayName, 38, 900, 1)[0] ?? "", textX, cy - 6, 38, WHITE);
  card.text(`@${space.host.handle} · hosting on Spaces`, textX, cy + 36, 28, LAVENDER);
}

export async function renderSpaceCard(space: SpaceView): Promise<Uint8Array<ArrayBuffer>> {
  const { width, height } = SPACE_CARD_SIZE;
  const card = new Raster(width, height, await loadFont());
  card.verticalGradient([30, 11, 75], [91, 33, 182]);
  card.text("Spaces", MARGIN, MARGIN + 30, 40, LAVENDER);
  badge(card, space, MARGIN + 62);
  const lines = card.wrap(space.title, 60, width - 2 * MARGIN, 3);
  lines.forEach((line, i) => card.text(line, MARGIN, 280 + i * 70, 60, WHITE));
  host(card, space);
  return encodePng(width, height, card.rgb);
}
