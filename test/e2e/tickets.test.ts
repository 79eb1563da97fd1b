// Browser test of a ticketed Space on the local stack with the fake Stripe: a listener pays on the hosted checkout
// page and gets in, a non-holder sees "Buy ticket" and is stopped at the door, the host sees the sale in earnings.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { loginAs } from "./support/stack.ts";
import { useStripeStackAndBrowser } from "./support/stripe-stack.ts";

const e2e = useStripeStackAndBrowser();

async function personPage(handle: string): Promise<Page> {
  const page = await (await e2e.browser.newContext()).newPage();
  await loginAs(page, e2e.stack.url, handle);
  return page;
}

test("a listener buys a ticket and gets in; a non-holder is offered a ticket, then stopped at the door", async () => {
  const host = await personPage("host");
  await host.goto(`${e2e.stack.url}/host`);
  await host.getByLabel("Title").fill("Paid e2e");
  await host.getByLabel("Sell tickets").check();
  await host.getByLabel("Price (USD)").fill("7.50");
  await host.getByLabel("Tickets", { exact: true }).fill("2");
  await host.getByRole("button", { name: "Create Space" }).click();
  await host.waitForURL(/\/spaces\/[0-9a-f-]{36}$/);
  const spaceUrl = host.url();
  await host.getByText("You host this Space: 0 sold.").waitFor();

  const ana = await personPage("ana");
  await ana.goto(spaceUrl);
  assert.equal(await ana.getByTestId("ticket-price").innerText(), "$7.50");
  assert.equal(await ana.getByTestId("tickets-left").innerText(), "2 of 2 left");
  await ana.getByRole("button", { name: "Buy ticket" }).click();
  await ana.waitForURL(/\/checkout\/cs_test_/);
  await ana.getByRole("button", { name: "Pay $7.50" }).click();
  await ana.waitForURL(`${spaceUrl}?checkout=success`);
  await ana.getByTestId("has-ticket").waitFor();

  const ben = await personPage("ben");
  await ben.goto(spaceUrl);
  await ben.getByRole("button", { name: "Buy ticket" }).waitFor();
  assert.equal(await ben.getByTestId("tickets-left").innerText(), "1 of 2 left");

  await host.getByRole("button", { name: "Start Space now" }).click();
  await host.getByTestId("stage-host").waitFor();

  await ana.goto(spaceUrl);
  // The room's snapshot (the stage) arrives only over the join token the ticket earned.
  await ana.getByTestId("stage-host").waitFor();
  assert.equal(await ana.getByTestId("join-failure").count(), 0);

  await ben.goto(spaceUrl);
  const refused = ben.getByTestId("join-failure");
  await refused.waitFor();
  assert.equal(await refused.getAttribute("data-code"), "ticket_required");
  await ben.getByText("ticket sales have closed").waitFor();

  await host.goto(`${e2e.stack.url}/earnings`);
  const row = host.getByTestId("earnings-table").getByRole("row", { name: /Paid e2e/ });
  await row.waitFor();
  assert.match(await row.innerText(), /1 \/ 2\s+\$7\.50\s+\$0\.75\s+\$6\.75/);
});
