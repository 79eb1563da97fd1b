// The waitlist in Chromium on the local stack with the fake Stripe: a sold-out Space's page offers the waitlist,
// joining shows the place in line, a freed seat (the holder's checkout expires) shows "held for you until …" without
// a reload and in the bell, Buy now pays on the fake checkout page, and a seat the host adds goes to the next in line. The stack runs with GUEST_LISTENING off, so the same file
// checks that the Space page then offers guests only logging in.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { seriousViolations } from "./support/axe.ts";
import { loginAs } from "./support/stack.ts";
import { useStripeStackAndBrowser } from "./support/stripe-stack.ts";

const e2e = useStripeStackAndBrowser({ GUEST_LISTENING: "false" });

async function personPage(handle: string): Promise<Page> {
  const page = await (await e2e.browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await loginAs(page, e2e.stack.url, handle);
  return page;
}

/** A call to the Worker's API as the page's signed-in person. */
async function apiAs(page: Page, method: "POST" | "DELETE", path: string, data?: unknown) {
  const res = await page.request.fetch(`${e2e.stack.url}/api${path}`, { method, headers: { Origin: e2e.stack.url }, data: data ?? {} });
  return { status: res.status(), json: (await res.json()) as any };
}

test("a sold-out Space offers the waitlist; a freed seat is held for the first in line, who buys it", async () => {
  const host = await personPage("host");
  const created = await apiAs(host, "POST", "/spaces", {
    title: "Waitlist e2e",
    scheduledFor: new Date(Date.now() + 86_400_000).toISOString(),
    ticket: { priceCents: 500, currency: "usd", capacity: 1 },
  });
  assert.equal(created.status, 201);
  const spaceId = created.json.space.id as string;

  // ana takes the only seat into a checkout she will not finish.
  const ana = await personPage("ana");
  const checkout = await apiAs(ana, "POST", `/spaces/${spaceId}/checkout`);
  assert.equal(checkout.status, 200);

  const ben = await personPage("ben");
  await ben.goto(`${e2e.stack.url}/spaces/${spaceId}`);
  assert.equal(await ben.getByTestId("tickets-left").innerText(), "Sold out");
  await ben.getByRole("button", { name: "Join the waitlist" }).click();
  const place = ben.getByTestId("waitlist-position");
  await place.waitFor();
  assert.match(await place.innerText(), /number 1 in line/);
  assert.deepEqual(await seriousViolations(ben), []);

  // The seat frees up: Stripe expires ana's checkout and tells the Worker, which holds the seat for ben.
  const sessionId = (checkout.json.url as string).split("/").pop()!;
  const expired = await fetch(`${e2e.stripe.url}/v1/checkout/sessions/${sessionId}/expire`, {
    method: "POST",
    headers: { Authorization: `Bearer ${e2e.secretKey}` },
  });
  assert.equal(expired.status, 200);
  const offer = ben.getByTestId("waitlist-offer");
  await offer.waitFor({ timeout: 30_000 });
  assert.match(await offer.innerText(), /A seat is held for you until \d{1,2}:\d{2}/);
  assert.deepEqual(await seriousViolations(ben), []);
  // The in-app notification says so too (the bell loads its list when opened).
  await ben.getByTestId("bell").click();
  await ben.getByTestId("notification").filter({ hasText: /A seat for "Waitlist e2e" opened up and is held for you/ }).waitFor();
  await ben.getByTestId("bell").click();

  await ben.getByRole("button", { name: "Buy now" }).click();
  await ben.waitForURL(/\/checkout\/cs_test_/);
  await ben.getByRole("button", { name: "Pay $5.00" }).click();
  await ben.waitForURL(`${e2e.stack.url}/spaces/${spaceId}?checkout=success`);
  await ben.getByTestId("has-ticket").waitFor();

  // ana, back too late, finds it sold out again and queues; the host adds a seat in the edit form, which ana's page
  // shows as held for her without a reload.
  await ana.goto(`${e2e.stack.url}/spaces/${spaceId}`);
  await ana.getByRole("button", { name: "Join the waitlist" }).click();
  await ana.getByTestId("waitlist-position").waitFor();
  await host.goto(`${e2e.stack.url}/spaces/${spaceId}`);
  await host.getByRole("button", { name: "Edit" }).click();
  await host.getByTestId("edit-capacity").fill("2");
  await host.getByRole("button", { name: "Save changes" }).click();
  await host.getByRole("button", { name: "Edit" }).waitFor();
  await ana.getByTestId("waitlist-offer").waitFor({ timeout: 30_000 });
});

test("with GUEST_LISTENING off, a guest on a free live Space is offered logging in, not listening", async () => {
  const host = await personPage("host");
  const created = await apiAs(host, "POST", "/spaces", { title: "No guests here" });
  const spaceId = created.json.space.id as string;
  assert.equal((await apiAs(host, "POST", `/spaces/${spaceId}/start`)).status, 200);

  const guest = await (await e2e.browser.newContext()).newPage();
  await guest.goto(`${e2e.stack.url}/spaces/${spaceId}`);
  await guest.getByTestId("guest-entry").getByText("Log in or sign up to listen").waitFor();
  assert.equal(await guest.getByTestId("listen-as-guest").count(), 0);
  await guest.goto(`${e2e.stack.url}/embed/spaces/${spaceId}`);
  await guest.locator('[data-testid="embed-access"][data-access="sign_in"]').waitFor();
  assert.equal((await apiAs(host, "POST", `/spaces/${spaceId}/end`)).status, 200);
});
