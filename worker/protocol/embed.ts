// JSON shapes behind the embeds: a host's live status (polled by /embed/u/:handle) and the oEmbed answer.
import type { PublicUser, SpaceView } from "./api.ts";

/** GET /api/users/:handle/live: the host and the Space they are live in now, if any. */
export type HostLiveResponse = { host: PublicUser; live: SpaceView | null };

/** GET /api/oembed?url=: oEmbed 1.0, type "rich" (an iframe of an embed page). */
export type OEmbedResponse = {
  version: "1.0";
  type: "rich";
  provider_name: "Spaces";
  provider_url: string;
  title: string;
  author_name: string;
  author_url: string;
  html: string;
  width: number;
  height: number;
  cache_age: number;
  thumbnail_url?: string;
  thumbnail_width?: number;
  thumbnail_height?: number;
};

/** The embeds' natural size: one row, as on a blog's sidebar or under a post. */
export const EMBED_SIZE = { width: 400, height: 120 } as const;

/** The copy-paste snippet (and the oEmbed html) for an embed page URL. */
export function embedSnippet(embedUrl: string, title: string, size: { width: number; height: number } = EMBED_SIZE): string {
  const escaped = (text: string) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return `<iframe src="${escaped(embedUrl)}" width="${size.width}" height="${size.height}" title="${escaped(title)}" loading="lazy" frameborder="0" style="border:0;max-width:100%;border-radius:14px"></iframe>`;
}
