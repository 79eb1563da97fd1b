// Browser test of the installable app: Chromium's installability check passes (CDP Page.getInstallabilityErrors), the
// service worker serves the app shell offline, and a listening player fills the Media Session (lock screen) with
// title, host and artwork whose play/pause and leave buttons act on the audio.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { chromium } from "playwright-core";
import { CHROMIUM_PATH } from "../../dev/browser/chromium.ts";
import { loginAs, useStackAndBrowser } from "./support/stack.ts";

const e2e = useStackAndBrowser();

test("the app passes Chromium's installability check and opens offline from the service worker's shell", async () => {
  // A profile on disk: Chromium never offers to install from an incognito context, which newContext() is.
  const profile = await mkdtemp(join(tmpdir(), "installable-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${e2e.stack.url}/spaces`);
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
      }
    });
    const cdp = await context.newCDPSession(page);
    const manifest = (await cdp.send("Page.getAppManifest")) as { url: string; errors: unknown[] };
    assert.equal(manifest.url, `${e2e.stack.url}/manifest.webmanifest`);
    assert.deepEqual(manifest.errors, []);
    const { installabilityErrors } = (await cdp.send("Page.getInstallabilityErrors")) as { installabilityErrors: unknown[] };
    assert.deepEqual(installabilityErrors, []);

    // Online once with the worker in control: the Spaces page's code is cached as it is used.
    await page.reload();
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    await context.setOffline(true);
    for (const path of ["/", "/spaces"]) {
      await page.goto(`${e2e.stack.url}${path}`);
      await page.locator("header nav").getByRole("link", { name: "Spaces" }).first().waitFor();
    }
    // Offline, the API is not faked from a cache: the Spaces page says it could not load them.
    await page.getByRole("alert").first().waitFor();
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
});

type Recorded = { title: string; artist: string; artwork: string[]; state: string; actions: string[] };

test("listening fills the Media Session, and its pause, play and leave buttons act on the player", async () => {
  const hostContext = await e2e.browser.newContext();
  const listenerContext = await e2e.browser.newContext();
  try {
    const hostPage = await hostContext.newPage();
    await loginAs(hostPage, e2e.stack.url, "host");
    await hostPage.goto(`${e2e.stack.url}/host`);
    await hostPage.getByLabel("Title").fill("Lock screen radio");
    await hostPage.getByRole("button", { name: "Create Space" }).click();
    await hostPage.waitForURL(/\/spaces\/[0-9a-f-]{36}$/);
    const spaceId = new URL(hostPage.url()).pathname.split("/").pop()!;
    await hostPage.getByRole("button", { name: "Start Space now" }).click();
    await hostPage.getByTestId("stage-host").waitFor();

    // The lock screen's buttons are the handlers the page registers; keep them to press them as the OS would.
    await listenerContext.addInitScript(() => {
      const handlers = new Map<string, (() => void) | null>();
      const original = navigator.mediaSession.setActionHandler.bind(navigator.mediaSession);
      navigator.mediaSession.setActionHandler = (action, handler) => {
        handlers.set(action, handler as (() => void) | null);
        original(action, handler);
      };
      Object.assign(window, {
        pressMediaButton: (action: string) => handlers.get(action)?.(),
        nowPlaying: () => ({
          title: navigator.mediaSession.metadata?.title ?? "",
          artist: navigator.mediaSession.metadata?.artist ?? "",
          artwork: [...(navigator.mediaSession.metadata?.artwork ?? [])].map((image) => `${image.src} ${image.sizes}`),
          state: navigator.mediaSession.playbackState,
          actions: [...handlers].filter(([, handler]) => handler).map(([action]) => action).sort(),
        }),
      });
    });
    const listener = await listenerContext.newPage();
    await loginAs(listener, e2e.stack.url, "ana");
    await listener.goto(`${e2e.stack.url}/embed/spaces/${spaceId}`);
    await listener.getByTestId("embed-tap-to-listen").click();
    const remote = listener.locator('audio[data-testid="remote-audio"][data-user-id="demo-host"]');
    await remote.waitFor({ state: "attached" });
    const nowPlaying = () => listener.evaluate(() => (window as unknown as { nowPlaying: () => Recorded }).nowPlaying());
    const press = (action: string) => listener.evaluate((name) => (window as unknown as { pressMediaButton: (a: string) => void }).pressMediaButton(name), action);

    await listener.waitForFunction(() => navigator.mediaSession.metadata?.title === "Lock screen radio");
    const shown = await nowPlaying();
    assert.equal(shown.artist, "Hana Host");
    assert.deepEqual(shown.artwork, [
      `${e2e.stack.url}/api/spaces/${spaceId}/card.png 1200x630`,
      `${e2e.stack.url}/icons/icon-512.png 512x512`,
      `${e2e.stack.url}/icons/icon-192.png 192x192`,
    ]);
    assert.equal(shown.state, "playing");
    assert.deepEqual(shown.actions, ["hangup", "pause", "play", "stop"]);

    await press("pause");
    await listener.waitForFunction(() => navigator.mediaSession.playbackState === "paused");
    assert.equal(await remote.evaluate((element) => (element as HTMLAudioElement).paused), true);
    await press("play");
    await listener.waitForFunction(() => navigator.mediaSession.playbackState === "playing");
    assert.equal(await remote.evaluate((element) => (element as HTMLAudioElement).paused), false);

    await press("hangup");
    await listener.getByTestId("embed-tap-to-listen").waitFor();
    assert.equal((await nowPlaying()).title, "");

    // The app's own room (kept at the app's top level for the mini-player) fills it the same way; leave ends the visit.
    await listener.goto(`${e2e.stack.url}/spaces/${spaceId}`);
    await listener.waitForFunction(() => navigator.mediaSession.metadata?.title === "Lock screen radio");
    assert.equal((await nowPlaying()).artist, "Hana Host");
    await press("hangup");
    await listener.getByTestId("left-room").waitFor();
    assert.equal((await nowPlaying()).title, "");
  } finally {
    await listenerContext.close();
    await hostContext.close();
  }
});
