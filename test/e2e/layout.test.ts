// Every page on a phone (390×844) and a desktop (1280×800): nothing scrolls sideways, not even a 100-character title
// with no spaces; the bell panel stays inside the screen; the host form explains problems in plain words before
// sending; and the new views (Your Spaces, a profile's Spaces, the room with listeners) are axe clean.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { seriousViolations } from "./support/axe.ts";
import { loginAs, useStackAndBrowser } from "./support/stack.ts";

const e2e = useStackAndBrowser();
const VIEWPORTS = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1280, height: 800 },
] as const;
const LONG_TITLE = "W".repeat(100);
let longId = "";
let liveId = "";
/** axe findings from every test here, asserted empty by the last one. */
const problemsOf: string[] = [];

async function pageAs(handle: string | null, viewport: { width: number; height: number }): Promise<Page> {
  const page = await (await e2e.browser.newContext({ viewport })).newPage();
  if (handle) await loginAs(page, e2e.stack.url, handle);
  return page;
}

async function hostCall(page: Page, path: string, body: unknown): Promise<{ space: { id: string } }> {
  return page.evaluate(
    async ([p, b]) => (await fetch(p, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(b) })).json(),
    [path, body] as const,
  );
}

/** The Spaces every test here looks at, made once (after the shared stack is up). */
let made: Promise<void> | null = null;
const spacesMade = () => (made ??= makeSpaces());

async function makeSpaces(): Promise<void> {
  const host = await pageAs("host", VIEWPORTS[1]);
  longId = (await hostCall(host, "/api/spaces", { title: LONG_TITLE, scheduledFor: Date.now() + 3 * 3600_000, topics: ["long"] })).space.id;
  liveId = (await hostCall(host, "/api/spaces", { title: `${LONG_TITLE.slice(0, 60)} live` })).space.id;
  await hostCall(host, `/api/spaces/${liveId}/start`, {});
  await host.context().close();
}

/** How far the page can scroll sideways (0 when everything fits). */
const sidewaysOverflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

for (const viewport of VIEWPORTS) {
  test(`${viewport.name}: no page scrolls sideways, a 100-character unbroken title included`, async () => {
    await spacesMade();
    const signedOut = await pageAs(null, viewport);
    const ana = await pageAs("ana", viewport);
    const host = await pageAs("host", viewport);
    const visits: [Page, string, string][] = [
      [signedOut, "/", "main"], [signedOut, "/login", "form"], [signedOut, `/spaces/${longId}`, "[data-testid=space-title]"],
      [ana, "/", "main h1"], [ana, "/spaces", "#upcoming-heading"], [ana, `/spaces/${longId}`, "[data-testid=space-title]"],
      [ana, "/u/host", "[data-testid=section-upcoming]"], [ana, "/me/spaces", "[data-testid=section-drafts]"], [ana, "/host", "[data-testid=host-gate]"],
      [host, "/host", "form"], [host, "/earnings", "h1"], [host, "/me/spaces", "[data-testid=section-upcoming]"],
      [host, `/spaces/${liveId}`, "[data-testid=live-room]"], [ana, `/spaces/${liveId}`, "[data-testid=listener-grid]"],
    ];
    const wide: string[] = [];
    for (const [page, path, ready] of visits) {
      await page.goto(`${e2e.stack.url}${path}`);
      await page.locator(ready).first().waitFor();
      const overflow = await sidewaysOverflow(page);
      if (overflow > 0) wide.push(`${path}: ${overflow}px`);
    }
    // A 390 px phone at 200 % zoom is a 195 px wide view: the room, host tools included, still fits.
    for (const [page, ready] of [[host, "[data-testid=live-room]"], [ana, "[data-testid=listener-grid]"]] as const) {
      await page.goto(`${e2e.stack.url}/spaces/${liveId}`);
      await page.locator(ready).first().waitFor();
      await page.setViewportSize({ width: 195, height: 422 });
      const overflow = await sidewaysOverflow(page);
      if (overflow > 0) wide.push(`room at 195px: ${overflow}px`);
    }
    assert.deepEqual(wide, []);
    // The long title is there in full (wrapped, not cut), on its page and on the cards that list it.
    await ana.goto(`${e2e.stack.url}/spaces/${longId}`);
    assert.equal(await ana.getByTestId("space-title").innerText(), LONG_TITLE);
    await ana.goto(`${e2e.stack.url}/u/host`);
    assert.equal(await ana.getByRole("heading", { name: LONG_TITLE }).getAttribute("title"), LONG_TITLE);
    for (const page of [signedOut, ana, host]) await page.context().close();
  });

  test(`${viewport.name}: the bell panel opens inside the screen`, async () => {
    await spacesMade();
    const ana = await pageAs("ana", viewport);
    await ana.goto(`${e2e.stack.url}/spaces`);
    await ana.getByTestId("bell").click();
    const panel = ana.locator("#notification-panel");
    await panel.waitFor();
    const box = (await panel.boundingBox())!;
    assert.ok(box.x >= 0, `panel starts at ${box.x}px`);
    assert.ok(box.x + box.width <= viewport.width, `panel ends at ${box.x + box.width}px of ${viewport.width}`);
    assert.ok(box.y >= 0 && box.y + box.height <= viewport.height, `panel spans ${box.y}–${box.y + box.height}px`);
    assert.equal(await sidewaysOverflow(ana), 0);
    await ana.context().close();
  });

  test(`${viewport.name}: the host form explains problems in plain words before anything is sent`, async () => {
    await spacesMade();
    const host = await pageAs("host", viewport);
    await host.goto(`${e2e.stack.url}/host`);
    const sent: string[] = [];
    host.on("request", (request) => {
      if (request.method() === "POST" && request.url().endsWith("/api/spaces")) sent.push(request.url());
    });
    await host.getByLabel("Title").fill("T".repeat(104));
    assert.equal(await host.getByTestId("title-count").innerText(), "104 / 100 characters");
    // Nothing is cut silently: the field keeps all 104 characters.
    assert.equal((await host.getByLabel("Title").inputValue()).length, 104);
    await host.getByLabel("Schedule for later").check();
    await host.getByLabel("Sell tickets").check();
    await host.getByLabel("Price (USD)").fill("0.50");
    await host.getByLabel("Tickets", { exact: true }).fill("0");
    await host.getByRole("button", { name: "Schedule Space" }).click();
    assert.equal(await host.getByTestId("error-title").innerText(), "The title is 104 characters; shorten it to 100 or fewer.");
    assert.equal(await host.getByTestId("error-scheduledFor").innerText(), "Pick a date and time, or untick “Schedule for later”.");
    assert.equal(await host.getByTestId("error-price").innerText(), "Ticket prices go from $1.00 to $999.00.");
    assert.equal(await host.getByTestId("error-capacity").innerText(), "Sell from 1 to 10,000 tickets.");
    assert.equal(await host.getByLabel("Title").getAttribute("aria-invalid"), "true");
    assert.equal(await host.evaluate(() => document.activeElement?.id), "title");
    assert.deepEqual(sent, [], "no request went out");
    problemsOf.push(...(await seriousViolations(host)).map((p) => `${viewport.name} host form with errors: ${p}`));

    await host.getByLabel("Title").fill("A fine title");
    await host.getByLabel("Schedule for later").uncheck();
    await host.getByLabel("Sell tickets").uncheck();
    await host.getByRole("button", { name: "Create Space" }).click();
    await host.waitForURL(/\/spaces\/[0-9a-f-]{36}$/);
    assert.equal(sent.length, 1);
    await host.getByText("Draft: not scheduled and not started yet.").waitFor();
    await host.goto(`${e2e.stack.url}/me/spaces`);
    await host.getByTestId("section-drafts").getByRole("link", { name: "A fine title" }).first().waitFor();
    await host.context().close();
  });
}

test("Your Spaces, a profile with its Spaces, and the room with listeners are axe clean, light and dark", async () => {
  await spacesMade();
  for (const colorScheme of ["light", "dark"] as const) {
    for (const viewport of VIEWPORTS) {
      const context = await e2e.browser.newContext({ viewport, colorScheme });
      const host = await context.newPage();
      await loginAs(host, e2e.stack.url, "host");
      const ana = await (await e2e.browser.newContext({ viewport, colorScheme })).newPage();
      await loginAs(ana, e2e.stack.url, "ana");
      const views: [Page, string, string][] = [
        [host, "/me/spaces", "[data-testid=section-past]"],
        [ana, "/u/host", "[data-testid=section-live]"],
        [ana, `/spaces/${liveId}`, "[data-testid=listener-grid]"],
        [host, `/spaces/${liveId}`, "[data-testid=listener-ana]"],
      ];
      for (const [page, path, ready] of views) {
        await page.goto(`${e2e.stack.url}${path}`);
        await page.locator(ready).waitFor();
        problemsOf.push(...(await seriousViolations(page)).map((p) => `${viewport.name} ${colorScheme} ${path}: ${p}`));
      }
      // The mini-player, on another page while in the room.
      await ana.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Spaces", exact: true }).click();
      await ana.getByTestId("mini-player").waitFor();
      problemsOf.push(...(await seriousViolations(ana)).map((p) => `${viewport.name} ${colorScheme} mini-player: ${p}`));
      // A listener's manage sheet, open.
      await host.getByTestId("listener-ana").locator("summary").click();
      await host.getByRole("button", { name: "Invite to speak" }).waitFor();
      problemsOf.push(...(await seriousViolations(host)).map((p) => `${viewport.name} ${colorScheme} listener sheet: ${p}`));
      await ana.getByTestId("mini-leave").click();
      await context.close();
      await ana.context().close();
    }
  }
  assert.deepEqual(problemsOf, []);
});
