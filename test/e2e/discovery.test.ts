// Browser test of discovery: the host schedules, a follower finds it by a word of its title and sets a reminder,
// the host starts, the follower gets the notification and the purple ring, clicks it and lands in the room.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { loginAs, signUpAs, useStackAndBrowser } from "./support/stack.ts";

const e2e = useStackAndBrowser();

/** A datetime-local value `minutes` from now in the browser's own time zone. */
function localInputValue(page: Page, minutes: number): Promise<string> {
  return page.evaluate((ms) => {
    const at = new Date(Date.now() + ms);
    return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  }, minutes * 60_000);
}

test("a follower finds a scheduled Space, is reminded when it starts and joins from the ring", async () => {
  const suffix = Date.now().toString(36).slice(-5);
  const title = `Nightjar birdsong hour ${suffix}`;

  const hostContext = await e2e.browser.newContext();
  const host = await hostContext.newPage();
  await loginAs(host, e2e.stack.url, "host");
  await host.goto(`${e2e.stack.url}/host`);
  await host.getByLabel("Title").fill(title);
  await host.getByLabel("Topics").fill("birds");
  await host.getByLabel("Schedule for later").check();
  await host.getByLabel("Starts at").fill(await localInputValue(host, 90));
  await host.getByRole("button", { name: "Schedule Space" }).click();
  await host.waitForURL(/\/spaces\/[0-9a-f-]{36}$/);
  const spaceId = host.url().split("/").at(-1)!;

  const fanContext = await e2e.browser.newContext();
  const fan = await fanContext.newPage();
  await signUpAs(fan, e2e.stack.url, `fan_${suffix}`);
  await fan.goto(`${e2e.stack.url}/u/host`);
  await fan.getByRole("button", { name: "Follow" }).click();
  await fan.getByRole("button", { name: "Following" }).waitFor();

  // Search by one word of the title finds it, under Upcoming; a word it lacks finds nothing.
  await fan.goto(`${e2e.stack.url}/spaces`);
  await fan.getByLabel("Search").fill("birdsong");
  await fan.getByRole("button", { name: "Search" }).click();
  await fan.waitForURL(/\?q=birdsong/);
  const card = fan.locator("article", { has: fan.getByRole("link", { name: title }) });
  await card.waitFor();
  assert.equal(await fan.locator("#upcoming-heading").count(), 1);
  await fan.getByLabel("Search").fill(`zzz${suffix}`);
  await fan.getByRole("button", { name: "Search" }).click();
  await fan.getByText("Nothing scheduled matches.").waitFor();

  await fan.goto(`${e2e.stack.url}/spaces?q=Nightjar`);
  const remind = fan.getByRole("button", { name: `Remind me about ${title}` });
  await remind.click();
  await fan.getByRole("button", { name: `Reminder set for ${title}` }).waitFor();
  assert.equal(await fan.getByRole("button", { name: `Reminder set for ${title}` }).getAttribute("aria-pressed"), "true");

  await fan.goto(`${e2e.stack.url}/`);
  assert.equal(await fan.getByTestId("ring-live").count(), 0);

  await host.getByRole("button", { name: "Start Space now" }).click();
  await host.getByTestId("stage-host").waitFor();

  // The bell polls while the page is open: the count appears without a reload.
  await fan.getByTestId("unread-count").waitFor({ timeout: 20_000 });
  assert.match(await fan.getByTestId("bell").getAttribute("aria-label") ?? "", /Notifications, 1 unread/);
  await fan.getByTestId("bell").click();
  const notification = fan.getByTestId("notification").first();
  assert.match(await notification.innerText(), new RegExp(`Hana Host is live now: ${title}`));

  // The ring row refreshes on the new notification; the live host wears the ring and one click joins.
  await fan.keyboard.press("Escape");
  const ring = fan.getByTestId("ring-live");
  await ring.waitFor({ timeout: 15_000 });
  assert.match((await ring.textContent()) ?? "", new RegExp(`Live\\s*Hana Host\\s*: ${title}. Join the Space`));
  await ring.click();
  await fan.waitForURL(`${e2e.stack.url}/spaces/${spaceId}`);
  assert.equal(await fan.getByTestId("space-title").innerText(), title);
  await fan.getByTestId("stage-host").waitFor();

  await fanContext.close();
  await hostContext.close();
});

test("the host edits a scheduled Space on its page, then cancels it; the reminder holder is told", async () => {
  const suffix = Date.now().toString(36).slice(-5);
  const hostContext = await e2e.browser.newContext();
  const host = await hostContext.newPage();
  await loginAs(host, e2e.stack.url, "host");
  const spaceId = await host.evaluate(async (title) => {
    const at = new Date(Date.now() + 3 * 3600_000).toISOString();
    const response = await fetch("/api/spaces", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ title, scheduledFor: at }),
    });
    return ((await response.json()) as { space: { id: string } }).space.id;
  }, `Draft title ${suffix}`);

  const fanContext = await e2e.browser.newContext();
  const fan = await fanContext.newPage();
  await signUpAs(fan, e2e.stack.url, `rem_${suffix}`);
  await fan.goto(`${e2e.stack.url}/spaces/${spaceId}`);
  await fan.getByRole("button", { name: `Remind me about Draft title ${suffix}` }).click();
  await fan.getByRole("button", { name: /Reminder set for/ }).waitFor();
  assert.equal(await fan.getByRole("link", { name: "Add to calendar" }).getAttribute("href"), `/api/spaces/${spaceId}/calendar.ics`);

  await host.goto(`${e2e.stack.url}/spaces/${spaceId}`);
  await host.getByRole("button", { name: "Edit" }).click();
  await host.getByLabel("Title").fill(`Final title ${suffix}`);
  await host.getByRole("button", { name: "Save changes" }).click();
  await host.getByTestId("space-title").filter({ hasText: `Final title ${suffix}` }).waitFor();

  host.once("dialog", (dialog) => void dialog.accept());
  await host.getByRole("button", { name: "Cancel Space" }).click();
  await host.getByTestId("space-over").filter({ hasText: "was cancelled" }).waitFor();

  await fan.goto(`${e2e.stack.url}/`);
  await fan.getByTestId("bell").click();
  assert.match(await fan.getByTestId("notification").first().innerText(), new RegExp(`Hana Host cancelled Final title ${suffix}`));
  await fanContext.close();
  await hostContext.close();
});
