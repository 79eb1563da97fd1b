// Join in few round trips: with Chromium adding 100 ms to every request (CDP Network.emulateNetworkConditions), a
// listener opens a live Space's page; we count the sequential round trips (requests chained one after another) up to
// the live room on screen and up to the first received audio. Counts, never milliseconds: a busy machine changes time.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, CDPSession, Page } from "playwright-core";
import { launchChromium } from "../../dev/browser/chromium.ts";
import { writeToneWav } from "../../dev/browser/wav-tone.ts";
import { ensureLocalSecrets } from "../../dev/stack.ts";
import { startCountingSfu, type CountingSfu } from "../../dev/sfu/counting-sfu.ts";
import { loginAs, startTestStack, type Stack } from "./support/stack.ts";

/** The goals: the room after ≤ 4 round trips, first audio after ≤ 6 plus the media handshake (ICE/DTLS). */
const ROOM_ROUND_TRIPS = 4;
const AUDIO_ROUND_TRIPS = 6;

let stack: Stack;
let sfu: CountingSfu;
let tempDir: string;
let browser: Browser;

before(async () => {
  tempDir = await mkdtemp(join(tmpdir(), "join-rt-"));
  sfu = await startCountingSfu("e2e-join", ensureLocalSecrets().CALLS_APP_SECRET!);
  stack = await startTestStack({ CALLS_API_BASE: sfu.url, CALLS_APP_ID: sfu.appId });
  browser = await launchChromium({ fakeAudioFile: await writeToneWav(tempDir, 440) });
});

after(async () => {
  await browser?.close();
  await stack?.stop();
  await sfu?.close();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
});

/** One request (or WebSocket: opened → first frame) as the page saw it, in the order events arrived. */
type Exchange = { label: string; url: string; document: boolean; start: number; end: number | null; chains: boolean };

/**
 * Records every exchange after navigation. A request's depth is 1 + the deepest exchange that had finished before it
 * started: the number of round trips it waited for. The depth at an event is the deepest finished exchange before it,
 * an upper bound on the critical path (an unrelated exchange can only raise it), so the assertions are safe.
 * One exception, from Chromium's own account (CDP's `initiator`): what the document's parser asked for (its script and
 * stylesheet) waited for the document only. On a busy machine the browser may issue the stylesheet after the script
 * already answered, and the timing rule would then count a round trip the page never waited for.
 */
function recordExchanges(page: Page, cdp: CDPSession) {
  const exchanges: Exchange[] = [];
  const open = new Map<unknown, Exchange>();
  const fromParser = new Set<string>();
  cdp.on("Network.requestWillBeSent", (event) => {
    if (event.initiator.type === "parser" || event.initiator.type === "preload") fromParser.add(event.request.url);
  });
  let clock = 0;
  const tick = () => ++clock;
  page.on("request", (request) => {
    // Icons, fonts and the manifest hold nothing back: they are never on the critical path.
    const chains = ["document", "script", "stylesheet", "fetch", "xhr"].includes(request.resourceType());
    const label = `${request.method()} ${new URL(request.url()).pathname}`;
    const entry = { label, url: request.url(), document: request.resourceType() === "document", start: tick(), end: null, chains };
    exchanges.push(entry);
    open.set(request, entry);
  });
  // A round trip ends with the answer's first byte; a WebSocket's with its first frame (the room's snapshot).
  const answered = (request: unknown) => {
    const entry = open.get(request);
    if (entry && entry.end === null) entry.end = tick();
  };
  page.on("response", (response) => answered(response.request()));
  page.on("requestfailed", answered);
  page.on("websocket", (socket) => {
    const entry: Exchange = { label: `WS ${new URL(socket.url()).pathname}`, url: socket.url(), document: false, start: tick(), end: null, chains: true };
    exchanges.push(entry);
    socket.once("framereceived", () => (entry.end ??= tick()));
  });
  const depthOf = new Map<Exchange, number>();
  const depth = (entry: Exchange): number => {
    const known = depthOf.get(entry);
    if (known !== undefined) return known;
    const parent = fromParser.has(entry.url) ? exchanges.findLast((other) => other.document && other.start < entry.start) : undefined;
    const before = exchanges.filter((other) => other.chains && other.end !== null && other.end < entry.start);
    const value = 1 + (parent ? depth(parent) : Math.max(0, ...before.map(depth)));
    depthOf.set(entry, value);
    return value;
  };
  return {
    /** Marks a moment; returns the round trips behind it and the chain that reached it, for the message. */
    mark(): { roundTrips: number; chain: string[] } {
      const now = tick();
      const done = exchanges.filter((entry) => entry.chains && entry.end !== null && entry.end < now);
      const roundTrips = Math.max(0, ...done.map(depth));
      const chain = done.map((entry) => `${depth(entry)} ${entry.label}`).sort();
      return { roundTrips, chain };
    },
  };
}

test("a listener sees the live room in ≤ 4 round trips and hears the stage in ≤ 6 plus the media handshake", async () => {
  const hostContext = await browser.newContext();
  const host = await hostContext.newPage();
  await loginAs(host, stack.url, "host");
  const spaceId = await host.evaluate(async () => {
    const post = (path: string, body: unknown): Promise<{ space: { id: string } }> =>
      fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json());
    const { space } = await post("/api/spaces", { title: "Round trips" });
    await post(`/api/spaces/${space.id}/start`, {});
    return space.id;
  });
  await host.goto(`${stack.url}/spaces/${spaceId}`);
  // The host publishes; the listener's pull needs a track on stage.
  await host.locator('[data-testid="stage-host"]').waitFor();
  await host.locator('[data-testid="room-audio"][data-connection="connected"][data-mic="on"]').waitFor({ timeout: 30_000 });

  const listenerContext = await browser.newContext();
  const listener = await listenerContext.newPage();
  await loginAs(listener, stack.url, "ana");
  await listener.goto("about:blank");
  const cdp = await listenerContext.newCDPSession(listener);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 100, downloadThroughput: -1, uploadThroughput: -1 });

  const recorder = recordExchanges(listener, cdp);
  // The moment the room is on screen is taken in the page (a DOM observer calling back), not when a locator's polling
  // happens to notice it, which on a busy machine can be after the next exchange answered.
  let room: ReturnType<typeof recorder.mark> | undefined;
  let roomShown: () => void = () => {};
  const shown = new Promise<void>((resolve) => (roomShown = resolve));
  await listener.exposeBinding("roomShown", () => {
    room ??= recorder.mark();
    roomShown();
  });
  await listener.addInitScript(() => {
    const observer = new MutationObserver(() => {
      if (!document.querySelector('[data-testid="stage-host"]')) return;
      observer.disconnect();
      void (window as unknown as { roomShown(): Promise<void> }).roomShown();
    });
    observer.observe(document, { childList: true, subtree: true });
  });
  await listener.goto(`${stack.url}/spaces/${spaceId}`);
  await shown;
  assert.ok(room);
  // First received audio: the pulled track unmutes when its first RTP packet arrives.
  await listener.waitForFunction(() => {
    const audio = document.querySelector<HTMLAudioElement>('audio[data-testid="remote-audio"][data-user-id="demo-host"]');
    const track = (audio?.srcObject as MediaStream | null)?.getAudioTracks()[0];
    return track !== undefined && !track.muted;
  }, undefined, { timeout: 60_000 });
  const audio = recorder.mark();
  console.log(`room on screen after ${room.roundTrips} round trips:\n  ${room.chain.join("\n  ")}`);
  console.log(`first audio after ${audio.roundTrips} round trips:\n  ${audio.chain.join("\n  ")}`);
  assert.ok(room.roundTrips <= ROOM_ROUND_TRIPS, `room after ${room.roundTrips} round trips:\n${room.chain.join("\n")}`);
  assert.ok(audio.roundTrips <= AUDIO_ROUND_TRIPS, `audio after ${audio.roundTrips} round trips:\n${audio.chain.join("\n")}`);
  await listenerContext.close();
  await hostContext.close();
});
