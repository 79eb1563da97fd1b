// axe-core over the main pages (signed out and in, light and dark): no serious or critical violations.
// Also the ring row by keyboard and with reduced motion, since the ring is the one animated thing on home.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../../dev/browser/chromium.ts";
import { pageLoaded } from "../../dev/browser/page-loaded.ts";
import { seriousViolations } from "./support/axe.ts";
import { loginAs, startTestStack, type Stack } from "./support/stack.ts";

let stack: Stack;
let browser: Browser;
let liveSpaceId = "";

before(async () => {
  stack = await startTestStack();
  browser = await launchChromium();
  // The demo host goes live so the signed-in pages show the ring, a live card and a notification.
  const context = await browser.newContext();
  const page = await context.newPage();
  await loginAs(page, stack.url, "host");
  liveSpaceId = await page.evaluate(async () => {
    const post = (path: string, body: unknown): Promise<{ space: { id: string } }> =>
      fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json());
    const { space } = await post("/api/spaces", { title: "Accessibility check live", topics: ["a11y"] });
    await post(`/api/spaces/${space.id}/start`, {});
    return space.id;
  });
  await context.close();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Waits until the page has finished loading, so axe never judges a spinner, and fails on an error in its place. */
async function finishedLoading(page: Page, path: string): Promise<void> {
  await pageLoaded(page);
  // An empty alert is a live region waiting for news (the room has one), not an error.
  const errors = (await page.getByRole("alert").allInnerTexts()).filter((text) => text.trim() !== "");
  assert.deepEqual(errors, [], `${path} showed an error instead of its content`);
}

const PAGES = [
  { path: "/", ready: "#live-now" },
  { path: "/spaces", ready: "#upcoming-heading" },
  { path: "/u/host", ready: "[data-testid=followers]" },
  { path: "/host", ready: "h1" },
  { path: "/spaces/demo-upcoming", ready: "[data-testid=space-title]" },
  { path: "/login", ready: "form" },
];

for (const scheme of ["light", "dark"] as const) {
  for (const signedIn of [false, true]) {
    test(`no serious or critical axe violations (${scheme}, ${signedIn ? "signed in" : "signed out"})`, async () => {
      const context = await browser.newContext({ colorScheme: scheme });
      const page = await context.newPage();
      if (signedIn) await loginAs(page, stack.url, "ana");
      const problems: string[] = [];
      for (const { path, ready } of PAGES) {
        await page.goto(`${stack.url}${path}`);
        await page.locator(ready).first().waitFor();
        await finishedLoading(page, path);
        problems.push(...(await seriousViolations(page)).map((p) => `${path}: ${p}`));
      }
      if (signedIn) {
        // The open notification panel too.
        await page.goto(`${stack.url}/`);
        await page.getByTestId("bell").click();
        await page.locator("#notification-panel").waitFor();
        await finishedLoading(page, "bell panel");
        problems.push(...(await seriousViolations(page)).map((p) => `bell panel: ${p}`));
      }
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
}

test("the live ring is reachable by keyboard and stops pulsing for reduced motion", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await loginAs(page, stack.url, "ana");
  await page.goto(`${stack.url}/`);
  const ring = page.getByTestId("ring-live");
  await ring.waitFor();
  const animationOf = () => ring.locator(".avatar").evaluate((el) => getComputedStyle(el).animationName);
  assert.notEqual(await animationOf(), "none");

  let reached = false;
  for (let i = 0; i < 25 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await ring.evaluate((el) => el === document.activeElement);
  }
  assert.ok(reached, "the live ring link takes keyboard focus");
  const outline = await ring.evaluate((el) => getComputedStyle(el).outlineStyle);
  assert.notEqual(outline, "none");
  await page.keyboard.press("Enter");
  await page.waitForURL(`${stack.url}/spaces/${liveSpaceId}`);

  await page.emulateMedia({ reducedMotion: "reduce" });
  await page.goto(`${stack.url}/`);
  await ring.waitFor();
  assert.equal(await animationOf(), "none");
  await context.close();
});

test("the live room has no serious or critical axe violations, for the host and for a listener with a raised hand", async () => {
  const problems: string[] = [];
  const listenerContext = await browser.newContext();
  const listener = await listenerContext.newPage();
  await loginAs(listener, stack.url, "ana");
  await listener.goto(`${stack.url}/spaces/${liveSpaceId}`);
  await listener.getByRole("button", { name: "Request to speak" }).click();
  await listener.getByRole("button", { name: "Lower hand" }).waitFor();
  await finishedLoading(listener, "room (listener)");
  problems.push(...(await seriousViolations(listener)).map((p) => `room (listener): ${p}`));

  for (const scheme of ["light", "dark"] as const) {
    const hostContext = await browser.newContext({ colorScheme: scheme });
    const host = await hostContext.newPage();
    await loginAs(host, stack.url, "host");
    await host.goto(`${stack.url}/spaces/${liveSpaceId}`);
    await host.getByTestId("hand-queue").waitFor();
    await host.getByLabel("Pin a link").fill("https://example.com/notes");
    await host.getByRole("button", { name: "Pin", exact: true }).click();
    await host.getByTestId("pinned-link").waitFor();
    await finishedLoading(host, `room (host, ${scheme})`);
    problems.push(...(await seriousViolations(host)).map((p) => `room (host, ${scheme}): ${p}`));
    await hostContext.close();
  }
  await listenerContext.close();
  assert.deepEqual(problems, []);
});
