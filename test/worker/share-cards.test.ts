// Share cards through the real Worker: Open Graph / Twitter meta in the raw HTML of a live and a scheduled Space and
// of a profile (no JavaScript run), and the Space's preview PNG, decoded at its stated size.
import { SELF } from "cloudflare:test";
import { decode } from "fast-png";
import { describe, expect, it } from "vitest";
import { host, ORIGIN } from "./helpers.ts";
import { goLive, schedule } from "./spaces-support.ts";

async function rawHtml(path: string): Promise<{ status: number; html: string; headers: Headers }> {
  const response = await SELF.fetch(`${ORIGIN}${path}`, { headers: { Accept: "text/html" } });
  return { status: response.status, html: await response.text(), headers: response.headers };
}

/** The content of one <meta property|name=key> in raw HTML, entities decoded. */
function meta(html: string, key: string): string | undefined {
  const match = new RegExp(`<meta (?:property|name)="${key.replace(/[:]/g, "\\:")}" content="([^"]*)">`).exec(html);
  return match?.[1]?.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

async function cardImage(url: string) {
  const response = await SELF.fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("image/png");
  return { response, png: decode(new Uint8Array(await response.arrayBuffer())) };
}

/** RGB of one pixel of a decoded 8-bit RGB(A) PNG. */
function pixel(png: ReturnType<typeof decode>, x: number, y: number): number[] {
  const at = (y * png.width + x) * png.channels;
  return Array.from(png.data.slice(at, at + 3));
}

describe("share cards", () => {
  it("a scheduled Space's raw HTML names its title, host, time and state, and links a PNG that decodes at its size", async () => {
    const h = await host();
    const space = await schedule(h, `Jazz & "friends" <live>`, 90);
    const page = await rawHtml(`/spaces/${space.id}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain(`<title>Jazz &amp; "friends" &lt;live&gt; · Spaces</title>`);
    expect(meta(page.html, "og:title")).toBe(`Jazz & "friends" <live>`);
    expect(meta(page.html, "twitter:title")).toBe(`Jazz & "friends" <live>`);
    const when = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(new Date(space.scheduledFor));
    expect(meta(page.html, "og:description")).toBe(`Scheduled for ${when} UTC · hosted by ${h.handle} (@${h.handle}) on Spaces`);
    expect(meta(page.html, "twitter:card")).toBe("summary_large_image");
    expect(meta(page.html, "og:url")).toBe(`${ORIGIN}/spaces/${space.id}`);
    expect(page.html).toContain(`type="application/json+oembed" href="${ORIGIN}/api/oembed?url=${encodeURIComponent(`${ORIGIN}/spaces/${space.id}`)}"`);

    const imageUrl = meta(page.html, "og:image")!;
    expect(imageUrl).toMatch(new RegExp(`^${ORIGIN}/api/spaces/${space.id}/card\\.png\\?v=[0-9a-f]{8}$`));
    expect(meta(page.html, "twitter:image")).toBe(imageUrl);
    const { response, png } = await cardImage(imageUrl);
    expect([png.width, png.height]).toEqual([Number(meta(page.html, "og:image:width")), Number(meta(page.html, "og:image:height"))]);
    expect([png.width, png.height]).toEqual([1200, 630]);
    expect(response.headers.get("Cache-Control")).toContain("immutable");
    // The scheduled badge is the pale lavender pill (the live one is red).
    expect(pixel(png, 90, 168)).toEqual([237, 233, 254]);
  });

  it("a live Space says so in its meta and its image, under a new image URL", async () => {
    const h = await host();
    const space = await schedule(h, "Morning show", 60);
    const before = meta((await rawHtml(`/spaces/${space.id}`)).html, "og:image");
    await goLive(space.id, 12);
    const page = await rawHtml(`/spaces/${space.id}`);
    expect(meta(page.html, "og:description")).toBe(`Live now · 12 listening · hosted by ${h.handle} (@${h.handle}) on Spaces`);
    const imageUrl = meta(page.html, "og:image")!;
    expect(imageUrl).not.toBe(before);
    const { png } = await cardImage(imageUrl);
    expect([png.width, png.height]).toEqual([1200, 630]);
    expect(pixel(png, 90, 168)).toEqual([225, 29, 72]);
    // A second request for the same version is answered from the cache, byte for byte.
    const again = await cardImage(imageUrl);
    expect(again.png.data).toEqual(png.data);
    // An old version's URL still gets today's image, but is not kept for long.
    const stale = await SELF.fetch(before!);
    expect(stale.headers.get("Cache-Control")).toBe("public, max-age=300");
    await stale.arrayBuffer();
  });

  it("a profile carries its name and, while live, the live Space", async () => {
    const h = await host();
    const idle = await rawHtml(`/u/${h.handle}`);
    expect(meta(idle.html, "og:title")).toBe(`${h.handle} (@${h.handle}) on Spaces`);
    expect(meta(idle.html, "og:description")).toMatch(/^\d+ followers on Spaces$/);
    expect(meta(idle.html, "og:image")).toBe(`${ORIGIN}/icons/icon-512.png`);
    const space = await schedule(h, "Profile live check", 60);
    await goLive(space.id);
    const live = await rawHtml(`/u/${h.handle}`);
    expect(meta(live.html, "og:description")).toBe("Live now: Profile live check");
    expect(meta(live.html, "og:image")).toContain(`/api/spaces/${space.id}/card.png?v=`);
  });

  it("pages that name nothing get the plain app shell, and a missing card image is a contract 404", async () => {
    const missing = await rawHtml("/spaces/00000000-0000-4000-8000-000000000000");
    expect(missing.status).toBe(200);
    expect(meta(missing.html, "og:title")).toBeUndefined();
    expect(missing.html).toContain("<title>Spaces</title>");
    const image = await SELF.fetch(`${ORIGIN}/api/spaces/00000000-0000-4000-8000-000000000000/card.png`);
    expect(image.status).toBe(404);
    expect(await image.json()).toEqual({ error: { code: "not_found", message: "That Space was not found." } });
  });
});
