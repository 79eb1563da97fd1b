// Browser test of Web Push on the client: the service worker registers and shows a pushed notification, and the
// bell's opt-in switch says clearly why push stays off. Delivery through a real push service needs the internet.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import type { PushMessagePayload } from "../../worker/protocol/push.ts";
import { loginAs, useStackAndBrowser } from "./support/stack.ts";
import { waitUntil } from "./support/wait.ts";

const e2e = useStackAndBrowser();

async function signedIn(options: { notifications: boolean; noPushApi?: boolean }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await e2e.browser.newContext();
  if (options.notifications) await context.grantPermissions(["notifications"], { origin: e2e.stack.url });
  // A browser without the Push API (older Safari, some embedded webviews).
  if (options.noPushApi) await context.addInitScript(() => Reflect.deleteProperty(window, "PushManager"));
  const page = await context.newPage();
  await loginAs(page, e2e.stack.url, "ana");
  // A fresh load, so the login's client-side navigation cannot reset focus in the middle of a keyboard test.
  await page.goto(`${e2e.stack.url}/spaces`);
  await page.getByTestId("bell").waitFor();
  return { context, page };
}

/** Opens the bell panel and moves focus to the push switch, with the keyboard only. */
async function tabToPushSwitch(page: Page): Promise<void> {
  await page.getByTestId("bell").focus();
  await page.keyboard.press("Enter");
  await page.getByTestId("push-toggle").waitFor();
  for (let presses = 0; presses < 5; presses++) {
    if (await page.getByTestId("push-toggle").evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  assert.fail("the push switch is not reachable with Tab from the bell");
}

test("the service worker registers and shows a pushed notification", async () => {
  const { context, page } = await signedIn({ notifications: true });
  const cdp = await context.newCDPSession(page);
  const registrations: { registrationId: string; scopeURL: string }[] = [];
  cdp.on("ServiceWorker.workerRegistrationUpdated", (event) => registrations.push(...event.registrations));
  await cdp.send("ServiceWorker.enable");
  const scriptUrl = await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL);
  assert.equal(scriptUrl, `${e2e.stack.url}/service-worker.js`);

  const registration = registrations.find((r) => r.scopeURL === `${e2e.stack.url}/`);
  assert.ok(registration, "the service worker's registration is visible to DevTools");
  const payload: PushMessagePayload = { title: "Live now", body: "Host is live: Owls at dusk", url: "/spaces/abc", tag: "space_live:abc" };
  // What the browser does when its push service delivers a message, minus the push service.
  await cdp.send("ServiceWorker.deliverPushMessage", {
    origin: e2e.stack.url,
    registrationId: registration.registrationId,
    data: JSON.stringify(payload),
  });
  const shown = async () =>
    page.evaluate(async () =>
      (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data })),
    );
  const notifications = await waitUntil(shown, (list) => list.length > 0, 2_000);
  assert.deepEqual(notifications, [{ title: "Live now", body: "Host is live: Owls at dusk", tag: "space_live:abc", data: { url: "/spaces/abc" } }]);
  await context.close();
});

test("with permission but no reachable push service, the switch explains and stays off", async () => {
  const { context, page } = await signedIn({ notifications: true });
  await tabToPushSwitch(page);
  const toggle = page.getByTestId("push-toggle");
  assert.equal(await toggle.getAttribute("role"), "switch");
  assert.equal(await toggle.getAttribute("aria-checked"), "false");
  assert.match((await toggle.textContent()) ?? "", /Push notifications:\s*off/);
  await page.keyboard.press("Space");
  await page.getByTestId("push-status").getByText("could not reach its push service").waitFor();
  assert.equal(await page.getByTestId("push-settings").getAttribute("data-state"), "off");
  assert.equal(await toggle.getAttribute("aria-checked"), "false");
  assert.equal(await page.evaluate(async () => (await (await navigator.serviceWorker.ready).pushManager.getSubscription()) === null), true);
  await context.close();
});

test("when the person blocks notifications, the switch gives way to how to allow them", async () => {
  const { context, page } = await signedIn({ notifications: false });
  await tabToPushSwitch(page);
  // Headless Chromium answers the permission prompt with "denied", as a person clicking Block would.
  await page.keyboard.press("Enter");
  const explanation = page.getByTestId("push-explanation");
  await explanation.waitFor();
  assert.match((await explanation.textContent()) ?? "", /blocked for this site\. Allow them in your browser's site settings/);
  assert.equal(await page.getByTestId("push-toggle").count(), 0);
  assert.equal(await page.getByTestId("push-settings").getAttribute("data-state"), "denied");
  await context.close();
});

test("a browser without the Push API is told so instead of offering a switch that cannot work", async () => {
  const { context, page } = await signedIn({ notifications: false, noPushApi: true });
  await page.getByTestId("bell").click();
  const explanation = page.getByTestId("push-explanation");
  await explanation.waitFor();
  assert.match((await explanation.textContent()) ?? "", /not available in this browser/);
  assert.equal(await page.getByTestId("push-toggle").count(), 0);
  await context.close();
});
