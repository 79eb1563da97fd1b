// The room's people and bar on a phone (390×844): profile pictures on the stage and in the listener grid (initials for
// someone without one); the grids follow promotions, demotions and departures live; the compact bottom bar is one row
// and never covers the listener grid or the end of the page; a request to speak keeps its name readable. On desktop
// a listener gets a right column, captions on top.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Locator, Page } from "playwright-core";
import { seriousViolations } from "./support/axe.ts";
import { loginAs, useStackAndBrowser } from "./support/stack.ts";

const e2e = useStackAndBrowser();
const PHONE = { width: 390, height: 844 };

async function personPage(handle: string): Promise<Page> {
  const page = await (await e2e.browser.newContext({ viewport: PHONE })).newPage();
  await loginAs(page, e2e.stack.url, handle);
  return page;
}

/** Uploads a picture drawn in the page (one flat colour) as this person's avatar; returns its URL. */
async function uploadPicture(page: Page, colour: string): Promise<string> {
  return page.evaluate(async (fill) => {
    const canvas = new OffscreenCanvas(64, 64);
    const context = canvas.getContext("2d")!;
    context.fillStyle = fill;
    context.fillRect(0, 0, 64, 64);
    const body = await canvas.convertToBlob({ type: "image/png" });
    const response = await fetch("/api/me/avatar", { method: "PUT", headers: { "Content-Type": "image/png" }, body });
    if (!response.ok) throw new Error(`avatar upload: ${response.status}`);
    return ((await response.json()) as { avatarUrl: string }).avatarUrl;
  }, colour);
}

/** Neither box is drawn over the other: `a` ends above where `b` starts. */
async function above(a: Locator, b: Locator): Promise<{ aBottom: number; bTop: number }> {
  const [boxA, boxB] = [await a.boundingBox(), await b.boundingBox()];
  assert.ok(boxA && boxB, "both are laid out");
  return { aBottom: boxA.y + boxA.height, bTop: boxB.y };
}

/** What a tap at the element's centre would hit is the element itself (nothing fixed is drawn over it). */
async function hitsItself(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => {
    const box = element.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return hit !== null && element.contains(hit);
  });
}

test("phone: pictures in the room, grids that follow role changes, and a bar that covers nothing", async () => {
  const host = await personPage("host");
  const hostPicture = await uploadPicture(host, "#0e7490");
  const spaceId = await host.evaluate(async () => {
    const response = await fetch("/api/spaces", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ title: "Grid room" }) });
    return ((await response.json()) as { space: { id: string } }).space.id;
  });
  const spaceUrl = `${e2e.stack.url}/spaces/${spaceId}`;
  await host.goto(spaceUrl);
  await host.getByRole("button", { name: "Start Space now" }).click();
  await host.getByTestId("stage-host").locator(`img[src="${hostPicture}"]`).waitFor();

  const ana = await personPage("ana");
  const anaPicture = await uploadPicture(ana, "#be123c");
  await ana.goto(spaceUrl);
  const ben = await personPage("ben");
  await ben.goto(spaceUrl);

  // Pictures where the room shows people; Ben has none, so his tile shows his initials.
  await host.getByTestId("listener-ana").locator(`img[src="${anaPicture}"]`).waitFor();
  await ben.getByTestId("stage-host").locator(`img[src="${hostPicture}"]`).waitFor();
  await host.getByTestId("listener-ben").waitFor();
  assert.equal(await host.getByTestId("listener-ben").locator("img").count(), 0);
  assert.match(await host.getByTestId("listener-ben").innerText(), /^BS\b/);

  // Promoted from the grid: Ana leaves everyone's listener grid for the stage, picture and all.
  await host.getByTestId("listener-ana").locator("summary").click();
  await host.getByRole("button", { name: "Invite to speak" }).click();
  await ana.getByRole("button", { name: "Accept" }).click();
  await host.getByTestId("stage-ana").locator(`img[src="${anaPicture}"]`).waitFor();
  await ben.getByTestId("stage-ana").waitFor();
  await ben.getByTestId("listener-ana").waitFor({ state: "detached" });
  await host.getByTestId("listener-count").filter({ hasText: "2 speakers · 1 listener" }).waitFor();
  // Her name reads in full under her picture, on the phone and in the desktop's main column alike.
  for (const viewport of [PHONE, { width: 1280, height: 800 }]) {
    await host.setViewportSize(viewport);
    const name = host.getByTestId("stage-ana").locator(".name");
    await name.waitFor();
    assert.deepEqual(await name.evaluate((element) => ({ text: element.textContent, cut: element.scrollWidth > element.clientWidth })), { text: "Ana Listener", cut: false }, `at ${viewport.width} px`);
  }
  await host.setViewportSize(PHONE);

  // Moved back down: she is in the grids again without anyone reloading.
  await host.getByTestId("stage-ana").locator("summary").click();
  await host.getByTestId("stage-ana").getByRole("button", { name: "Move to listeners", exact: true }).click();
  await host.getByTestId("listener-ana").waitFor();
  await ben.getByTestId("listener-ana").waitFor();
  assert.equal(await ben.getByTestId("stage-ana").count(), 0);

  // The bar on a phone: one row, and the first listener tile scrolled to the bottom edge is still clear of it.
  const dock = ana.getByTestId("room-dock");
  await dock.getByRole("button", { name: "Request to speak" }).waitFor();
  const dockBox = await dock.boundingBox();
  assert.ok(dockBox && dockBox.height < 2 * 44, `the bar is one row (${dockBox?.height} px tall)`);
  const firstTile = ana.getByTestId("listener-grid").locator("li").first();
  await firstTile.evaluate((element) => element.scrollIntoView({ block: "end" }));
  const tile = await above(firstTile, dock);
  assert.ok(tile.aBottom <= tile.bTop, `the first listener tile (ends at ${tile.aBottom}) is above the bar (${tile.bTop})`);
  assert.ok(await hitsItself(firstTile), "nothing is drawn over the first listener tile");
  // At the very end of the page the last thing on it is clear of the bar too.
  await ana.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  const last = ana.locator("main > *").last().locator(":scope > *").last();
  const end = await above(last, dock);
  assert.ok(end.aBottom <= end.bTop, `the page's end (${end.aBottom}) is above the bar (${end.bTop})`);

  // The counts read on one line beside Share (an icon on a phone, still named "Share").
  await ana.getByRole("button", { name: "Share" }).waitFor();
  assert.equal(await ana.getByTestId("listener-count").evaluate((element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return new Set([...range.getClientRects()].map((box) => Math.round(box.top))).size;
  }), 1, "the counts are one line");

  // Share where the link cannot be copied (no share sheet, the clipboard refused): the link is shown to copy by hand,
  // inside the phone's screen. Closing a share sheet without sharing (AbortError) says nothing.
  await ana.evaluate(() => Object.defineProperty(navigator.clipboard, "writeText", { configurable: true, value: () => Promise.reject(new DOMException("Refused", "NotAllowedError")) }));
  await ana.evaluate(() => window.scrollTo(0, 0));
  await ana.getByRole("button", { name: "Share" }).click();
  const shareStatus = ana.getByTestId("share-status");
  await shareStatus.filter({ hasText: `Copy this link: ${spaceUrl}` }).waitFor();
  assert.deepEqual(
    await shareStatus.evaluate((element) => ({ inside: element.getBoundingClientRect().right <= window.innerWidth, sideways: document.documentElement.scrollWidth > window.innerWidth })),
    { inside: true, sideways: false },
  );
  await ana.evaluate(() => Object.defineProperty(navigator, "share", { configurable: true, value: () => Promise.reject(new DOMException("Share canceled", "AbortError")) }));
  await ana.getByRole("button", { name: "Share" }).click();
  await shareStatus.waitFor({ state: "detached" });

  // A request to speak reads as a name with its buttons on the host's phone and in the desktop's host column: where
  // both do not fit on one line the buttons go below, the name is never squeezed to a letter a line.
  await dock.getByRole("button", { name: "Request to speak" }).click();
  const request = host.getByTestId("hand-queue").locator("li").filter({ hasText: "Ana Listener" });
  for (const viewport of [PHONE, { width: 1280, height: 800 }]) {
    await host.setViewportSize(viewport);
    await request.getByRole("button", { name: "Approve Ana Listener" }).waitFor();
    const layout = await request.evaluate((item) => {
      const card = item.closest("section")!.getBoundingClientRect();
      const buttons = [...item.querySelectorAll("button")].map((button) => button.getBoundingClientRect());
      return {
        nameLines: item.querySelector(".name")!.getClientRects().length,
        buttonsInCard: buttons.every((box) => box.left >= card.left && box.right <= card.right),
      };
    });
    assert.deepEqual(layout, { nameLines: 1, buttonsInCard: true }, `the request at ${viewport.width} px`);
  }
  await host.setViewportSize(PHONE);
  await request.getByRole("button", { name: "Dismiss Ana Listener's request" }).click();
  await dock.getByRole("button", { name: "Request to speak" }).waitFor();

  // Reactions wait in a popover; a reaction still reaches the host.
  await dock.getByRole("button", { name: "Reactions" }).click();
  await ana.getByRole("button", { name: "React heart" }).click();
  assert.deepEqual(await seriousViolations(ana), [], "the room with the reactions popover open is axe clean");
  await host.getByTestId("floating-reaction").first().waitFor({ state: "attached" });
  await ana.keyboard.press("Escape");
  await ana.getByRole("button", { name: "React heart" }).waitFor({ state: "hidden" });

  // On desktop a listener's room uses the width: the room on the left, "About this Space" and how to speak on the right,
  // both below the counts; back on the phone that column is not in the page at all.
  await ana.setViewportSize({ width: 1280, height: 800 });
  const about = ana.getByTestId("room-about");
  await about.getByText("Grid room").waitFor();
  await ana.getByTestId("room-speak-card").waitFor();
  const [stageBox, aboutBox, gridBox] = [await ana.getByTestId("stage-host").boundingBox(), await about.boundingBox(), await ana.getByTestId("listener-grid").boundingBox()];
  assert.ok(stageBox && aboutBox && gridBox, "stage, about card and listener grid are laid out");
  assert.ok(aboutBox.x >= gridBox.x + gridBox.width, `the about card (x ${aboutBox.x}) is right of the listener grid (ends ${gridBox.x + gridBox.width})`);
  assert.ok(gridBox.width > 500, `the listener grid flows wide (${gridBox.width} px)`);
  assert.deepEqual(
    await ana.getByTestId("listener-ben").locator(".name").first().evaluate((element) => ({ text: element.textContent, cut: element.scrollWidth > element.clientWidth })),
    { text: "Ben Speaker", cut: false },
    "a listener's name reads in full in the wide grid",
  );
  assert.ok(aboutBox.y < stageBox.y + stageBox.height, "the column starts level with the stage, not below the room");
  // The captions panel heads that column (one copy in the page); on the phone it is back under the stage.
  const captions = ana.getByTestId("captions-panel");
  const captionsBox = await captions.boundingBox();
  assert.ok(captionsBox, "the captions panel is laid out");
  assert.deepEqual({ x: captionsBox.x, above: captionsBox.y + captionsBox.height <= aboutBox.y, copies: await captions.count() }, { x: aboutBox.x, above: true, copies: 1 });
  assert.equal(await ana.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, "no sideways scroll");
  assert.deepEqual(await seriousViolations(ana), [], "the desktop listener room is axe clean");
  // The emoji open above the bar's button that opened them, not mid-screen away from it.
  await dock.getByRole("button", { name: "Reactions" }).click();
  const [toggleBox, pickerBox] = [await dock.getByRole("button", { name: "Reactions" }).boundingBox(), await ana.locator("#reaction-picker").boundingBox()];
  assert.ok(toggleBox && pickerBox, "the reactions button and its popover are laid out");
  assert.deepEqual(
    { spansButton: pickerBox.x <= toggleBox.x && pickerBox.x + pickerBox.width >= toggleBox.x + toggleBox.width, aboveBar: pickerBox.y + pickerBox.height <= toggleBox.y },
    { spansButton: true, aboveBar: true },
    `the popover (${pickerBox.x}–${pickerBox.x + pickerBox.width}) sits above its button (${toggleBox.x}–${toggleBox.x + toggleBox.width})`,
  );
  await ana.keyboard.press("Escape");
  await ana.getByRole("button", { name: "React heart" }).waitFor({ state: "hidden" });
  await ana.setViewportSize(PHONE);
  await about.waitFor({ state: "detached" });
  const [phoneStage, phoneCaptions] = [await ana.getByTestId("stage").boundingBox(), await captions.boundingBox()];
  assert.ok(phoneStage && phoneCaptions, "stage and captions are laid out on the phone");
  assert.deepEqual({ x: phoneCaptions.x, below: phoneCaptions.y >= phoneStage.y + phoneStage.height }, { x: phoneStage.x, below: true });

  // Someone leaving drops out of the grid everywhere.
  await ben.getByTestId("leave").click();
  await host.getByTestId("listener-ben").waitFor({ state: "detached" });
  await ana.getByTestId("listener-ben").waitFor({ state: "detached" });
  await host.getByTestId("listener-count").filter({ hasText: "1 speaker · 1 listener" }).waitFor();

  for (const page of [host, ana, ben]) await page.context().close();
});
