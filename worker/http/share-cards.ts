// Share cards: Open Graph + Twitter meta for /spaces/:id and /u/:handle, written into the SPA's index.html with
// HTMLRewriter so crawlers that run no JavaScript see the title, host, time and live state.
import { getSpaceView, listSpaces } from "../db/spaces.ts";
import { findUserByHandle, followCounts } from "../db/users.ts";
import type { SpaceView } from "../protocol/api.ts";
import { type AppContext } from "./context.ts";
import { db } from "../db/client.ts";
import { spaceCardVersion, spaceStatusLine, SPACE_CARD_SIZE } from "../share/space-card-meta.ts";

export type ShareCard = {
  title: string;
  description: string;
  url: string;
  image: { url: string; width: number; height: number; alt: string };
  /** The oEmbed discovery link for this page. */
  oembed: string;
};

const SPACE_PATH = /^\/spaces\/([A-Za-z0-9_-]{6,64})\/?$/;
const PROFILE_PATH = /^\/u\/([a-z0-9_]{1,30})\/?$/i;

export function spaceCardImageUrl(origin: string, space: SpaceView): string {
  return `${origin}/api/spaces/${space.id}/card.png?v=${spaceCardVersion(space)}`;
}

function spaceCard(origin: string, space: SpaceView): ShareCard {
  const host = `${space.host.displayName} (@${space.host.handle})`;
  const listening = space.state === "live" && space.listenerCount > 0 ? ` · ${space.listenerCount} listening` : "";
  const url = `${origin}/spaces/${space.id}`;
  return {
    title: space.title,
    description: `${spaceStatusLine(space)}${listening} · hosted by ${host} on Spaces`,
    url,
    image: { url: spaceCardImageUrl(origin, space), ...SPACE_CARD_SIZE, alt: `${space.title}: ${spaceStatusLine(space)}, hosted by ${host}` },
    oembed: `${origin}/api/oembed?url=${encodeURIComponent(url)}`,
  };
}

/** The card for a page path, or null when the path is not a Space or profile (or names nothing). */
export async function shareCardFor(c: AppContext, url: URL): Promise<ShareCard | null> {
  const origin = c.env.APP_ORIGIN || url.origin;
  const spaceId = SPACE_PATH.exec(url.pathname)?.[1];
  if (spaceId) {
    const space = await getSpaceView(db(c.env), spaceId);
    return space && space.state !== "draft" ? spaceCard(origin, space) : null;
  }
  const handle = PROFILE_PATH.exec(url.pathname)?.[1];
  if (!handle) return null;
  const user = await findUserByHandle(db(c.env), handle);
  if (!user) return null;
  const [live] = await listSpaces(db(c.env), { state: "live", hostIds: [user.id], limit: 1 });
  const { followers } = await followCounts(db(c.env), user.id);
  const profileUrl = `${origin}/u/${user.handle}`;
  const name = `${user.displayName} (@${user.handle})`;
  return {
    title: `${name} on Spaces`,
    description: live ? `Live now: ${live.title}` : `${followers} followers on Spaces`,
    url: profileUrl,
    image: live
      ? { url: spaceCardImageUrl(origin, live), ...SPACE_CARD_SIZE, alt: `${live.title}: live now, hosted by ${name}` }
      : { url: `${origin}/icons/icon-512.png`, width: 512, height: 512, alt: "Spaces" },
    oembed: `${origin}/api/oembed?url=${encodeURIComponent(profileUrl)}`,
  };
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function shareCardTags(card: ShareCard): string {
  const meta: [string, string, string][] = [
    ["name", "description", card.description],
    ["property", "og:site_name", "Spaces"],
    ["property", "og:type", "website"],
    ["property", "og:title", card.title],
    ["property", "og:description", card.description],
    ["property", "og:url", card.url],
    ["property", "og:image", card.image.url],
    ["property", "og:image:width", String(card.image.width)],
    ["property", "og:image:height", String(card.image.height)],
    ["property", "og:image:alt", card.image.alt],
    ["name", "twitter:card", card.image.width > card.image.height ? "summary_large_image" : "summary"],
    ["name", "twitter:title", card.title],
    ["name", "twitter:description", card.description],
    ["name", "twitter:image", card.image.url],
    ["name", "twitter:image:alt", card.image.alt],
  ];
  const tags = meta.map(([attr, key, value]) => `<meta ${attr}="${key}" content="${escapeHtml(value)}">`);
  tags.push(`<link rel="canonical" href="${escapeHtml(card.url)}">`);
  tags.push(`<link rel="alternate" type="application/json+oembed" href="${escapeHtml(card.oembed)}" title="${escapeHtml(card.title)}">`);
  return tags.join("\n    ");
}

/** The page with the card's meta in <head> and its title in <title>. */
export function withShareCard(page: Response, card: ShareCard): Response {
  return new HTMLRewriter()
    .on("title", { element: (title) => void title.setInnerContent(`${card.title} · Spaces`) })
    .on("head", { element: (head) => void head.append(`    ${shareCardTags(card)}\n`, { html: true }) })
    .transform(page);
}
