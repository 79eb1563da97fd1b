// Browser test of the embeds: a page on another origin frames /embed/u/host and sees the host go live (ring and Listen
// link) without reloading; framed cross-site the player lets a guest listen; opened by a signed-in viewer it plays the stage.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Frame, Page } from "playwright-core";
import { seriousViolations } from "./support/axe.ts";
import { startOtherOriginPage } from "./support/other-origin.ts";
import { loginAs, useStackAndBrowser } from "./support/stack.ts";

const e2e = useStackAndBrowser();

async function embeddedFrame(page: Page, url: string): Promise<Frame> {
  await page.goto(url);
  const handle = await page.locator("iframe").elementHandle();
  const frame = await handle!.contentFrame();
  assert.ok(frame, "the iframe has a document");
  return frame;
}

test("another site frames the host's live badge, which follows the host going live", async () => {
  const blog = await startOtherOriginPage(`${e2e.stack.url}/embed/u/host`);
  const hostContext = await e2e.browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  try {
    const page = await e2e.browser.newPage({ viewport: { width: 390, height: 844 } });
    const frame = await embeddedFrame(page, blog.url);
    assert.notEqual(new URL(blog.url).origin, e2e.stack.url, "the framing page is on another origin");
    const state = frame.getByTestId("embed-live-state");
    await state.waitFor();
    assert.equal(await state.getAttribute("data-live"), "false");
    assert.match(await frame.getByTestId("embed-host").innerText(), /Hana Host/);
    // Minimal chrome: the app's header is not there, and the badge fits its 400×120 frame.
    assert.equal(await frame.locator("header nav").count(), 0);
    assert.ok(await frame.evaluate(() => document.documentElement.scrollHeight <= 120 && document.documentElement.scrollWidth <= 400));

    const hostPage = await hostContext.newPage();
    await loginAs(hostPage, e2e.stack.url, "host");
    await hostPage.goto(`${e2e.stack.url}/host`);
    await hostPage.getByLabel("Title").fill("Embedded live show");
    await hostPage.getByRole("button", { name: "Create Space" }).click();
    await hostPage.waitForURL(/\/spaces\/[0-9a-f-]{36}$/);
    const spaceUrl = hostPage.url();
    await hostPage.getByRole("button", { name: "Start Space now" }).click();
    await hostPage.getByTestId("stage-host").waitFor();

    // The Space page's Embed disclosure gives the player's snippet and copies it.
    await hostPage.getByTestId("embed-snippet").locator("summary").click();
    const snippet = await hostPage.getByTestId("embed-code-player").inputValue();
    assert.match(snippet, new RegExp(`^<iframe src="${spaceUrl.replace("/spaces/", "/embed/spaces/")}" width="400" height="120" `));
    await hostPage.getByRole("button", { name: "Copy Player for this Space code" }).click();
    await hostPage.getByTestId("embed-snippet").getByText("Copied.").waitFor();
    assert.equal(await hostPage.evaluate(() => navigator.clipboard.readText()), snippet);

    // The embed polls; no reload of the framing page.
    await frame.locator('[data-testid="embed-live-state"][data-live="true"]').waitFor({ timeout: 40_000 });
    assert.match(await state.innerText(), /Embedded live show/);
    assert.equal(await frame.locator(".avatar.live").count(), 1, "the avatar wears the live ring");
    const listen = frame.getByTestId("embed-listen");
    assert.equal(await listen.getAttribute("href"), new URL(spaceUrl).pathname);
    assert.equal(await listen.getAttribute("target"), "_blank");
    await page.close();

    // The same Space's player framed cross-site: no session cookie reaches it, and the free Space lets a guest listen.
    const playerBlog = await startOtherOriginPage(`${spaceUrl.replace("/spaces/", "/embed/spaces/")}`);
    try {
      const playerPage = await e2e.browser.newPage();
      const player = await embeddedFrame(playerPage, playerBlog.url);
      await player.locator('[data-testid="embed-access"][data-access="listen"]').waitFor();
      await player.getByTestId("embed-tap-to-listen").click();
      await player.getByTestId("embed-listening").waitFor();
      await player.locator('audio[data-testid="remote-audio"][data-user-id="demo-host"]').waitFor({ state: "attached" });
      await playerPage.close();
    } finally {
      await playerBlog.close();
    }

    // A signed-in viewer taps to listen in the player and gets the host's audio track, listen-only.
    const viewerContext = await e2e.browser.newContext();
    const viewer = await viewerContext.newPage();
    await loginAs(viewer, e2e.stack.url, "ana");
    await viewer.goto(spaceUrl.replace("/spaces/", "/embed/spaces/"));
    await viewer.getByTestId("embed-tap-to-listen").click();
    await viewer.getByTestId("embed-listening").waitFor();
    await viewer.locator('audio[data-testid="remote-audio"][data-user-id="demo-host"]').waitFor({ state: "attached" });
    assert.equal(await viewer.getByTestId("mic-toggle").count(), 0, "a listener in the player has no microphone control");
    await viewerContext.close();
  } finally {
    await hostContext.close();
    await blog.close();
  }
});

test("the embeds and the Embed disclosure have no serious accessibility problems, on a phone", async () => {
  const context = await e2e.browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  try {
    await page.goto(`${e2e.stack.url}/embed/u/host`);
    await page.getByTestId("embed-live-state").waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    await page.goto(`${e2e.stack.url}/embed/spaces/demo-upcoming`);
    await page.locator('[data-testid="embed-access"][data-access="not_live"]').waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    await loginAs(page, e2e.stack.url, "ana");
    await page.goto(`${e2e.stack.url}/spaces/demo-upcoming`);
    await page.getByTestId("embed-snippet").locator("summary").click();
    await page.getByTestId("embed-code-host").waitFor();
    assert.deepEqual(await seriousViolations(page), []);
  } finally {
    await context.close();
  }
});
