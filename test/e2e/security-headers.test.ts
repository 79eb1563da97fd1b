// Browser test of the security headers: the app runs its pages and a live room under the CSP with no violation, and a
// page on another origin that frames the app's home gets nothing (frame-ancestors 'none').
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { startOtherOriginPage } from "./support/other-origin.ts";
import { loginAs, useStackAndBrowser } from "./support/stack.ts";

const e2e = useStackAndBrowser();

/** Collects every CSP violation the page reports, from the DOM event and from the console. */
function watchViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content.Security.Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  void page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`Refused to load: CSP ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return violations;
}

test("the app's pages and a live room run under the CSP without a single violation", async () => {
  const context = await e2e.browser.newContext();
  const page = await context.newPage();
  const violations = watchViolations(page);
  await loginAs(page, e2e.stack.url, "host");
  for (const path of ["/", "/spaces", "/u/host", "/earnings"]) {
    await page.goto(`${e2e.stack.url}${path}`);
    await page.getByTestId("me-link").waitFor();
  }
  await page.goto(`${e2e.stack.url}/host`);
  await page.getByLabel("Title").fill("CSP check");
  await page.getByRole("button", { name: "Create Space" }).click();
  await page.waitForURL(/\/spaces\/[0-9a-f-]{36}$/);
  await page.getByRole("button", { name: "Start Space now" }).click();
  await page.getByTestId("stage-host").waitFor();
  await page.getByRole("button", { name: "Reactions" }).click();
  await page.getByRole("button", { name: "React fire" }).click();
  await page.getByTestId("reaction-count-fire").waitFor();
  // The service worker registered by the (hash-allowed) inline bootstrap is running.
  const registered = await page.evaluate(async () => Boolean(await navigator.serviceWorker.getRegistration()));
  assert.equal(registered, true);
  assert.deepEqual(violations, []);
  await context.close();
});

test("another site framing the app's home gets nothing", async () => {
  const other = await startOtherOriginPage(`${e2e.stack.url}/`);
  try {
    const page = await e2e.browser.newPage();
    const violations = watchViolations(page);
    await page.goto(other.url);
    const frameElement = page.locator("iframe");
    await frameElement.waitFor();
    // A blocked frame never gets the app: wait for the browser's verdict, then look inside.
    await page.waitForFunction(() => (window as unknown as { frameLoaded?: boolean }).frameLoaded === true);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const appInside = frame ? await frame.locator("header nav").count().catch(() => 0) : 0;
    assert.equal(appInside, 0);
    assert.ok(violations.some((text) => /frame-ancestors/.test(text)), `expected a frame-ancestors refusal, saw ${JSON.stringify(violations)}`);
    await page.close();
  } finally {
    await other.close();
  }
});

test("build files served straight from assets carry their headers from _headers", async () => {
  const html = await (await fetch(`${e2e.stack.url}/`)).text();
  const asset = /"(\/_app\/immutable\/[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(asset, "the shell names a build file");
  const response = await fetch(`${e2e.stack.url}${asset}`);
  await response.arrayBuffer();
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("x-content-type-options"), "nosniff");
  assert.equal(response.headers.get("x-frame-options"), "DENY");
  assert.match(response.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
  assert.equal(response.headers.get("cache-control"), "public, max-age=31536000, immutable");
});
