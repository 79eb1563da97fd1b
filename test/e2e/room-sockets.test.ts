// Browser test of the room socket rules: the page's socket carries its join token as a subprotocol, never in the URL,
// and a person who already has the Space open in 3 tabs is told why a 4th cannot join instead of reconnecting forever.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import { loginAs, useStackAndBrowser } from "./support/stack.ts";

const e2e = useStackAndBrowser();

/** A tab of this browser (one cookie jar: the same person) that records the room socket's URL and offered protocols. */
async function roomTab(context: BrowserContext, sockets: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on("websocket", (socket) => sockets.push(socket.url()));
  return page;
}

test("the room socket keeps the token out of its URL; a 4th tab of one person is refused with a clear message", async () => {
  const hostContext = await e2e.browser.newContext();
  const host = await hostContext.newPage();
  await loginAs(host, e2e.stack.url, "host");
  await host.goto(`${e2e.stack.url}/host`);
  await host.getByLabel("Title").fill("Sockets e2e");
  await host.getByRole("button", { name: "Create Space" }).click();
  await host.waitForURL(/\/spaces\/[0-9a-f-]{36}$/);
  const spaceUrl = host.url();
  await host.getByRole("button", { name: "Start Space now" }).click();
  await host.getByTestId("stage-host").waitFor();

  const ana = await e2e.browser.newContext();
  const sockets: string[] = [];
  const first = await roomTab(ana, sockets);
  await loginAs(first, e2e.stack.url, "ana");
  const tabs = [first, await roomTab(ana, sockets), await roomTab(ana, sockets)];
  for (const tab of tabs) {
    await tab.goto(spaceUrl);
    await tab.getByTestId("live-room").waitFor();
  }
  await host.getByTestId("listener-count").filter({ hasText: "1 speaker · 1 listener" }).waitFor();

  const fourth = await roomTab(ana, sockets);
  await fourth.goto(spaceUrl);
  const refusal = fourth.getByTestId("join-failure");
  await refusal.waitFor();
  assert.equal(await refusal.getAttribute("data-code"), "too_many_connections");
  assert.match(await refusal.innerText(), /open in 3 places/);

  const roomSockets = sockets.filter((url) => new URL(url).pathname.endsWith("/live"));
  assert.ok(roomSockets.length >= 4, `room sockets opened: ${roomSockets.length}`);
  assert.deepEqual(roomSockets.filter((url) => new URL(url).search !== ""), []);
  // The three tabs that got in are still in: one listener, however many tabs.
  await tabs[0]!.getByTestId("live-room").waitFor();
  await host.getByTestId("listener-count").filter({ hasText: "1 speaker · 1 listener" }).waitFor();
});
