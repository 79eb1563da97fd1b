// The room as people live it, on a phone (390×844) and a desktop (1280×800): a ticket holder waiting on a scheduled
// Space is taken into the room when the host starts it (no reload); the host's tone keeps playing in the mini-player
// while the listener moves around the app; Leave drops the listener count and stops the audio.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../../dev/browser/chromium.ts";
import { tonesProbe } from "../../dev/browser/page-tones.ts";
import { writeToneWav } from "../../dev/browser/wav-tone.ts";
import { loginAs, startTestStack, type Stack } from "./support/stack.ts";

const HOST_HZ = 440;
const VIEWPORTS = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1280, height: 800 },
] as const;

let stack: Stack;
let hostBrowser: Browser;
let browser: Browser;
let tempDir: string;

before(async () => {
  tempDir = await mkdtemp(join(tmpdir(), "room-live-"));
  stack = await startTestStack();
  hostBrowser = await launchChromium({ fakeAudioFile: await writeToneWav(tempDir, HOST_HZ) });
  browser = await launchChromium();
});

after(async () => {
  await hostBrowser?.close();
  await browser?.close();
  await stack?.stop();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
});

async function personPage(from: Browser, handle: string, viewport: { width: number; height: number }): Promise<Page> {
  const page = await (await from.newContext({ viewport })).newPage();
  await loginAs(page, stack.url, handle);
  return page;
}

/** Creates a Space through the host's session (the form has its own tests) and returns its page URL. */
async function createSpace(host: Page, body: Record<string, unknown>): Promise<string> {
  const id = await host.evaluate(async (input) => {
    const response = await fetch("/api/spaces", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(input) });
    return ((await response.json()) as { space: { id: string } }).space.id;
  }, body);
  return `${stack.url}/spaces/${id}`;
}

for (const viewport of VIEWPORTS) {
  test(`${viewport.name}: a ticket holder waiting on the Space's page enters the room when the host starts, without a reload`, async () => {
    const host = await personPage(hostBrowser, "host", viewport);
    const spaceUrl = await createSpace(host, {
      title: `Waiting room ${viewport.name}`,
      scheduledFor: Date.now() + 60 * 60_000,
      ticket: { priceCents: 300, currency: "usd", capacity: 5 },
    });
    const ana = await personPage(browser, "ana", viewport);
    await ana.goto(spaceUrl);
    await ana.getByRole("button", { name: "Buy ticket" }).click();
    await ana.waitForURL(/\/checkout\/cs_test_/);
    await ana.getByRole("button", { name: "Pay $3.00" }).click();
    await ana.waitForURL(`${spaceUrl}?checkout=success`);
    await ana.getByTestId("has-ticket").waitFor();
    // A mark in this document: a reload or a full navigation would drop it.
    await ana.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));

    await host.goto(spaceUrl);
    await host.getByRole("button", { name: "Start Space now" }).click();
    await host.getByTestId("stage-host").waitFor();

    await ana.getByTestId("stage-host").waitFor();
    await ana.getByTestId("listener-ana").waitFor();
    assert.equal(await ana.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere), true);
    assert.equal(await ana.getByTestId("join-failure").count(), 0);
    await host.context().close();
    await ana.context().close();
  });

  test(`${viewport.name}: the mini-player keeps the host audible across the app, reopens the room, and Leave stops it`, async () => {
    const host = await personPage(hostBrowser, "host", viewport);
    const spaceUrl = await createSpace(host, { title: `Mini-player ${viewport.name}` });
    await host.goto(spaceUrl);
    await host.getByRole("button", { name: "Start Space now" }).click();
    await host.getByTestId("stage-host").waitFor();
    await host.getByTestId("listener-count").filter({ hasText: "1 speaker · 0 listeners" }).waitFor();

    const ben = await personPage(browser, "ben", viewport);
    await ben.goto(spaceUrl);
    await ben.getByTestId("stage-host").waitFor();
    await host.getByTestId("listener-count").filter({ hasText: "1 speaker · 1 listener" }).waitFor();
    const probe = await tonesProbe(ben);
    assert.notEqual(await probe.waitForTone(HOST_HZ, "present", 20_000), null, "the listener hears the host in the room");

    // Moving around the app (client-side navigation) keeps the room and its audio; the mini-player shows it.
    await ben.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Spaces", exact: true }).click();
    await ben.waitForURL(`${stack.url}/spaces`);
    await ben.getByTestId("mini-player").waitFor();
    assert.ok((await probe.presenceOver(HOST_HZ, 1500)) > 0.8, "the host is still heard on another page");
    await ben.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Your Spaces" }).click();
    await ben.waitForURL(`${stack.url}/me/spaces`);
    assert.ok((await probe.presenceOver(HOST_HZ, 1000)) > 0.8, "and on the next one");
    assert.equal(await host.getByTestId("listener-count").innerText(), "1 speaker · 1 listener");

    // A tap on the mini-player reopens the full room.
    await ben.getByTestId("mini-player").getByRole("link").click();
    await ben.waitForURL(spaceUrl);
    await ben.getByTestId("live-room").waitFor();
    assert.equal(await ben.getByTestId("mini-player").count(), 0);

    await ben.getByTestId("leave").click();
    await ben.getByTestId("left-room").waitFor();
    await host.getByTestId("listener-count").filter({ hasText: "1 speaker · 0 listeners" }).waitFor();
    assert.equal(await ben.locator('audio[data-testid="remote-audio"]').count(), 0);
    assert.notEqual(await probe.waitForTone(HOST_HZ, "absent", 5000), null, "the audio stopped");
    assert.equal(await ben.getByTestId("mini-player").count(), 0);

    // Leaving from the mini-player works the same way.
    await ben.getByRole("button", { name: "Join again" }).click();
    await ben.getByTestId("live-room").waitFor();
    await host.getByTestId("listener-count").filter({ hasText: "1 speaker · 1 listener" }).waitFor();
    await ben.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Home" }).click();
    await ben.getByTestId("mini-player").getByRole("button", { name: "Leave" }).click();
    await host.getByTestId("listener-count").filter({ hasText: "1 speaker · 0 listeners" }).waitFor();
    assert.equal(await ben.getByTestId("mini-player").count(), 0);
    await host.context().close();
    await ben.context().close();
  });
}
