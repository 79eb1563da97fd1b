// Serves the web app's files from the assets binding. HTML pages get a CSP that names the exact inline bootstrap
// script of this build by hash, and, for Space and profile links, share-card meta crawlers can read without JS.
import type { AppContext } from "./context.ts";
import { cspHash, documentPolicy, isFrameablePath } from "./security-headers.ts";
import { shareCardFor, withShareCard } from "./share-cards.ts";

const INLINE_SCRIPT = /<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/gi;

let cachedHashes: { html: string; hashes: Promise<string[]> } | null = null;

/** CSP source expressions for every inline script in this HTML; one build's index.html is hashed once per isolate. */
export function inlineScriptHashes(html: string): Promise<string[]> {
  if (cachedHashes?.html !== html) {
    const scripts = [...html.matchAll(INLINE_SCRIPT)].map((match) => match[1] ?? "");
    cachedHashes = { html, hashes: Promise.all(scripts.map(cspHash)) };
  }
  return cachedHashes.hashes;
}

/** A page path (no file extension): the SPA's index.html answers it, so the request must not be conditional. */
function isPagePath(pathname: string): boolean {
  return !/\.[a-z0-9]+$/i.test(pathname);
}

export async function serveAppFile(c: AppContext): Promise<Response> {
  const url = new URL(c.req.url);
  let request = c.req.raw;
  if (isPagePath(url.pathname)) {
    // The HTML differs per path (share cards) and its headers carry this build's hashes: always send it whole.
    const headers = new Headers(request.headers);
    headers.delete("If-None-Match");
    headers.delete("If-Modified-Since");
    request = new Request(request, { headers });
  }
  const asset = await c.env.ASSETS.fetch(request);
  if (!(asset.headers.get("Content-Type") ?? "").startsWith("text/html") || asset.status !== 200) return asset;

  const html = await asset.text();
  const headers = new Headers(asset.headers);
  headers.delete("ETag");
  headers.set("Cache-Control", "no-cache");
  headers.set("Content-Security-Policy", await documentPolicy(await inlineScriptHashes(html), isFrameablePath(url.pathname)));
  const page = new Response(c.req.method === "HEAD" ? null : html, { status: 200, headers });
  const card = c.req.method === "GET" ? await shareCardFor(c, url) : null;
  return card ? withShareCard(page, card) : page;
}
