// The two audio paths a normal join does not exercise: a listener whose browser blocks autoplay gets "Tap to listen"
// and hears the host after pressing it, and a restarted SFU (every session gone) heals without reloading any page.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ensureLocalSecrets } from "../../dev/stack.ts";
import { startSfu, type RunningSfu } from "../../dev/sfu/server.ts";
import { createCallsClient } from "../../worker/calls/client.ts";
import { launchChromium, type AutoplayPolicy } from "../../dev/browser/chromium.ts";
import { tonesProbe } from "../../dev/browser/page-tones.ts";
import { loginAs, startTestStack, type Stack } from "./support/stack.ts";
import { writeToneWav } from "../../dev/browser/wav-tone.ts";

const HOST_HZ = 440;
const APP_ID = "e2e-recovery";
const APP_SECRET = ensureLocalSecrets().CALLS_APP_SECRET!;

let stack: Stack;
/** Our own SFU stand-in on a fixed port, so it can be restarted under the Worker's feet. */
let sfu: RunningSfu;
let tempDir: string;
const browsers: Browser[] = [];
let host: Page;
let spaceUrl: string;

async function browser(options: { frequency?: number; autoplayPolicy?: AutoplayPolicy } = {}): Promise<Browser> {
  const fakeAudioFile = options.frequency ? await writeToneWav(tempDir, options.frequency) : undefined;
  const launched = await launchChromium({ fakeAudioFile, autoplayPolicy: options.autoplayPolicy });
  browsers.push(launched);
  return launched;
}

/**
 * A logged-in page that has never been clicked: the login happens in a throwaway tab, because Chromium lets a
 * same-origin navigation inherit the login click's user activation, which would unlock autoplay.
 */
async function untouchedPage(launched: Browser, handle: string): Promise<Page> {
  const context = await launched.newContext();
  const login = await context.newPage();
  await loginAs(login, stack.url, handle);
  await login.close();
  return context.newPage();
}

type PlaybackState = { tapButton: string | null; focusedTap: boolean; activated: boolean; paused: boolean[] };
const PLAYBACK_STATE = `({
  tapButton: document.querySelector('[data-testid="tap-to-listen"]')?.textContent?.trim() ?? null,
  focusedTap: document.activeElement?.getAttribute("data-testid") === "tap-to-listen",
  activated: navigator.userActivation.hasBeenActive,
  paused: [...document.querySelectorAll('audio[data-testid="remote-audio"]')].map((element) => element.paused),
})`;

/**
 * Reads and focuses in a page without giving it a user activation. Every Playwright evaluate and locator call in
 * Chromium runs with `userGesture: true`, which alone unlocks autoplay; plain CDP Runtime.evaluate and DOM.focus do not.
 */
async function gesturelessView(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  return {
    async read<T>(expression: string): Promise<T> {
      const { result } = await cdp.send("Runtime.evaluate", { expression, returnByValue: true });
      return result.value as T;
    },
    /**
     * The state read by `expression` once a change in the page's DOM makes `until` (a JS function of that state)
     * true, or null after `timeoutMs`: a MutationObserver in the page, so the wait ends on the change itself.
     */
    async waitFor<T>(expression: string, until: string, timeoutMs: number): Promise<T | null> {
      const { result } = await cdp.send("Runtime.evaluate", {
        expression: `new Promise((resolve) => {
          const check = () => { const state = ${expression}; if ((${until})(state)) finish(state); };
          const finish = (state) => { observer.disconnect(); clearTimeout(timer); resolve(state); };
          const observer = new MutationObserver(check);
          const timer = setTimeout(() => finish(null), ${timeoutMs});
          observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
          check();
        })`,
        awaitPromise: true,
        returnByValue: true,
      });
      return result.value as T | null;
    },
    async focus(selector: string): Promise<void> {
      const { root } = await cdp.send("DOM.getDocument", { depth: 0 });
      const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector });
      await cdp.send("DOM.focus", { nodeId });
    },
  };
}

const audioState = (page: Page) => page.getByTestId("room-audio");
const remoteOf = (page: Page, userId: string) => page.locator(`audio[data-testid="remote-audio"][data-user-id="${userId}"]`);

before(async () => {
  tempDir = await mkdtemp(join(tmpdir(), "audio-recovery-"));
  sfu = await startSfu({ port: 0, appId: APP_ID, appSecret: APP_SECRET });
  stack = await startTestStack({ CALLS_API_BASE: sfu.url, CALLS_APP_ID: APP_ID });
  host = await (await browser({ frequency: HOST_HZ })).newPage();
  await loginAs(host, stack.url, "host");
  await host.goto(`${stack.url}/host`);
  await host.getByLabel("Title").fill("Recovery e2e");
  await host.getByRole("button", { name: "Create Space" }).click();
  await host.waitForURL(/\/spaces\/[0-9a-f-]{36}$/);
  spaceUrl = host.url();
  await host.getByRole("button", { name: "Start Space now" }).click();
  await audioState(host).and(host.locator('[data-connection="connected"][data-mic="on"]')).waitFor({ timeout: 15_000 });
});

after(async () => {
  await Promise.allSettled(browsers.map((launched) => launched.close()));
  await stack?.stop();
  await sfu?.close();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
});

test("a listener whose browser blocks autoplay gets 'Tap to listen', presses it with the keyboard and hears the host", async () => {
  // Chromium's own policy (no --autoplay-policy flag) blocks unmuted autoplay on a page nobody has touched.
  const listener = await untouchedPage(await browser({ autoplayPolicy: "browser-default" }), "ana");
  const quiet = await gesturelessView(listener);
  await listener.goto(spaceUrl);
  const blocked = await quiet.waitFor<PlaybackState>(PLAYBACK_STATE, "(state) => state.tapButton !== null", 15_000);
  assert.ok(blocked, "no 'Tap to listen' button within 15 s");
  assert.equal(blocked.tapButton, "Tap to listen");
  assert.equal(blocked.activated, false, "the page had a user activation before anyone pressed anything");
  assert.ok(blocked.paused.length > 0 && blocked.paused.every(Boolean), "the stage's audio was not actually blocked");

  await quiet.focus('[data-testid="tap-to-listen"]');
  assert.equal((await quiet.read<PlaybackState>(PLAYBACK_STATE)).focusedTap, true);
  await listener.keyboard.press("Enter");
  const playing = await quiet.waitFor<PlaybackState>(PLAYBACK_STATE, "(state) => state.tapButton === null", 5_000);
  assert.ok(playing, "the 'Tap to listen' button stayed after pressing it");
  assert.ok(playing.paused.length > 0 && !playing.paused.some(Boolean), "the stage's audio is still paused after pressing the button");
  const tones = await tonesProbe(listener);
  assert.ok((await tones.waitForTone(HOST_HZ, "present", 10_000, "demo-host")) !== null, "440 Hz not heard after 'Tap to listen'");
  await listener.context().close();
});

test("after the SFU restarts and every session is gone, the host publishes again and the listener hears 440 Hz again", async () => {
  const listener = await (await browser()).newContext().then((context) => context.newPage());
  await loginAs(listener, stack.url, "ben");
  await listener.goto(spaceUrl);
  const tones = await tonesProbe(listener);
  assert.ok((await tones.waitForTone(HOST_HZ, "present", 10_000)) !== null, "the listener never heard 440 Hz");
  const before = await remoteOf(listener, "demo-host").getAttribute("data-session-id");

  // Same port, empty registry: every Calls session and track the pages hold is gone, and so is their media.
  const port = sfu.port;
  await sfu.close();
  sfu = await startSfu({ port, appId: APP_ID, appSecret: APP_SECRET });
  const brokeAt = Date.now();
  assert.ok((await tones.waitForTone(HOST_HZ, "absent", 10_000)) !== null, "440 Hz never stopped: the media path did not break");

  // No reload: both pages rebuild their sessions; the host's new track reaches the listener.
  assert.ok((await tones.waitForTone(HOST_HZ, "present", 30_000)) !== null, "440 Hz did not come back within 30 s of the SFU restart");
  const recoveredMs = Date.now() - brokeAt;
  assert.ok((await tones.presenceOver(HOST_HZ, 1_000)) > 0.8, "440 Hz came back but does not stay");
  const after = await remoteOf(listener, "demo-host").getAttribute("data-session-id");
  assert.ok(after && after !== before, "the listener still plays the host's old session");
  await audioState(host).and(host.locator('[data-connection="connected"][data-mic="on"]')).waitFor({ timeout: 5_000 });
  await audioState(listener).and(listener.locator('[data-connection="connected"]')).waitFor({ timeout: 5_000 });

  // The host's new publish is a live track at the restarted SFU itself.
  const calls = createCallsClient({ baseUrl: sfu.url, appId: APP_ID, appSecret: APP_SECRET });
  const session = await calls.getSession(after);
  assert.ok(session.ok, "the host's new session is unknown to the restarted SFU");
  assert.ok(session.value.tracks.some((track) => track.location === "local" && track.status === "active"), "the host's new track is not active");
  console.log(JSON.stringify({ event: "audio_recovered", sfuRestartToToneMs: recoveredMs }));
  await listener.context().close();
});
