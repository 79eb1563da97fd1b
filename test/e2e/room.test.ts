// Browser test of the live room with two people: hand raised and approved, reactions seen by both, the end seen by all.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { loginAs, useStackAndBrowser } from "./support/stack.ts";

const e2e = useStackAndBrowser();

async function personPage(handle: string): Promise<Page> {
  const context = await e2e.browser.newContext();
  const page = await context.newPage();
  await loginAs(page, e2e.stack.url, handle);
  return page;
}

test("a listener asks to speak, the host approves, both react, the host ends the Space", async () => {
  const host = await personPage("host");
  await host.goto(`${e2e.stack.url}/host`);
  await host.getByLabel("Title").fill("Room e2e");
  await host.getByRole("button", { name: "Create Space" }).click();
  await host.waitForURL(/\/spaces\/[0-9a-f-]{36}$/);
  const spaceUrl = host.url();
  await host.getByRole("button", { name: "Start Space now" }).click();
  await host.getByTestId("stage-host").waitFor();

  const ana = await personPage("ana");
  await ana.goto(spaceUrl);
  await ana.getByTestId("stage-host").waitFor();
  // The counts say who is who: the host is a speaker, Ana the one listener.
  await host.getByTestId("listener-count").filter({ hasText: "1 speaker · 1 listener" }).waitFor();
  await host.getByTestId("listener-ana").waitFor();

  await ana.getByRole("button", { name: "Request to speak" }).click();
  await host.getByTestId("hand-queue").getByText("Ana Listener").waitFor();
  await host.getByTestId("announcer").filter({ hasText: "Ana Listener asked to speak" }).waitFor({ state: "attached" });
  await host.getByRole("button", { name: "Approve Ana Listener" }).click();
  await ana.getByTestId("stage-ana").waitFor();
  assert.equal(await ana.getByTestId("stage-ana").getAttribute("data-role"), "speaker");
  await ana.getByTestId("announcer").filter({ hasText: "You can speak now" }).waitFor({ state: "attached" });

  // Reactions wait behind the bar's Reactions button (a popover that stays open for tap after tap).
  await ana.getByRole("button", { name: "Reactions" }).click();
  await ana.getByRole("button", { name: "React fire" }).click();
  await host.getByRole("button", { name: "Reactions" }).click();
  await host.getByTestId("reaction-count-fire").waitFor();
  await host.getByRole("button", { name: "React clap" }).click();
  await ana.getByTestId("reaction-count-clap").waitFor();

  await host.getByRole("button", { name: "End Space" }).click();
  await host.getByRole("button", { name: "Yes, end for everyone" }).click();
  await ana.getByTestId("space-ended").waitFor();
  await host.getByTestId("space-ended").waitFor();
});
