// Embeds through the real Worker: oEmbed JSON for Space and profile links (and contract errors for bad ones), and the
// public live-status JSON the /embed/u/:handle page polls.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { host, ORIGIN, uniqueHandle } from "./helpers.ts";
import { goLive, schedule } from "./spaces-support.ts";

async function oembed(query: string): Promise<{ status: number; json: any; headers: Headers }> {
  const response = await SELF.fetch(`${ORIGIN}/api/oembed?${query}`);
  return { status: response.status, json: await response.json(), headers: response.headers };
}

describe("oEmbed", () => {
  it("describes a Space link as a rich iframe of its player", async () => {
    const h = await host();
    const space = await schedule(h, `Quotes "and" <tags>`, 60);
    const res = await oembed(`url=${encodeURIComponent(`${ORIGIN}/spaces/${space.id}`)}&format=json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.json).toMatchObject({
      version: "1.0",
      type: "rich",
      provider_name: "Spaces",
      provider_url: ORIGIN,
      title: `Quotes "and" <tags>`,
      author_name: h.handle,
      author_url: `${ORIGIN}/u/${h.handle}`,
      width: 400,
      height: 120,
      thumbnail_width: 1200,
      thumbnail_height: 630,
    });
    expect(res.json.thumbnail_url).toMatch(new RegExp(`^${ORIGIN}/api/spaces/${space.id}/card\\.png\\?v=`));
    expect(res.json.html).toBe(
      `<iframe src="${ORIGIN}/embed/spaces/${space.id}" width="400" height="120" title="Quotes &quot;and&quot; &lt;tags&gt; on Spaces" loading="lazy" frameborder="0" style="border:0;max-width:100%;border-radius:14px"></iframe>`,
    );
  });

  it("describes a profile link as the host's live badge, and honours maxwidth/maxheight", async () => {
    const h = await host();
    const res = await oembed(`url=${encodeURIComponent(`${ORIGIN}/u/${h.handle}`)}&maxwidth=300&maxheight=100`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ type: "rich", title: `${h.handle} (@${h.handle}) on Spaces`, author_name: h.handle, width: 300, height: 100 });
    expect(res.json.html).toContain(`src="${ORIGIN}/embed/u/${h.handle}" width="300" height="100"`);
    expect(res.json.thumbnail_url).toBeUndefined();
  });

  it("answers bad or foreign links with the contract's error shape", async () => {
    const cases: [string, number, string][] = [
      ["", 400, "invalid_input"],
      ["url=not%20a%20url", 400, "invalid_url"],
      [`url=${encodeURIComponent("https://evil.example/spaces/00000000-0000-4000-8000-000000000000")}`, 404, "not_found"],
      [`url=${encodeURIComponent(`${ORIGIN}/spaces/00000000-0000-4000-8000-000000000000`)}`, 404, "not_found"],
      [`url=${encodeURIComponent(`${ORIGIN}/u/${uniqueHandle("nobody")}`)}`, 404, "not_found"],
      [`url=${encodeURIComponent(`${ORIGIN}/earnings`)}`, 404, "not_found"],
      [`url=${encodeURIComponent(`${ORIGIN}/spaces`)}&format=xml`, 501, "unsupported_format"],
      [`url=${encodeURIComponent(`${ORIGIN}/spaces`)}&maxwidth=-3`, 400, "invalid_input"],
    ];
    for (const [query, status, code] of cases) {
      const res = await oembed(query);
      expect({ query, status: res.status, code: res.json.error?.code }).toEqual({ query, status, code });
      expect(typeof res.json.error.message).toBe("string");
    }
  });
});

describe("host live status", () => {
  it("follows the host going live, publicly, without an account", async () => {
    const h = await host();
    const idle = await SELF.fetch(`${ORIGIN}/api/users/${h.handle}/live`);
    expect(idle.status).toBe(200);
    expect(await idle.json()).toEqual({ host: { id: h.id, handle: h.handle, displayName: h.handle, avatarUrl: null }, live: null });
    const space = await schedule(h, "Live badge check", 60);
    await goLive(space.id, 3);
    const live = (await (await SELF.fetch(`${ORIGIN}/api/users/${h.handle}/live`)).json()) as any;
    expect(live.live).toMatchObject({ id: space.id, title: "Live badge check", state: "live", listenerCount: 3 });
    const missing = await SELF.fetch(`${ORIGIN}/api/users/${uniqueHandle("nobody")}/live`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).error.code).toBe("not_found");
  });
});
