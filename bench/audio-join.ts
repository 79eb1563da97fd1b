// Listener join → first received audio, and Calls API calls per join, measured in real Chromium against the bench's
// stack: the host's fake mic plays 440 Hz, a listener opens the Space page in a fresh context and the clock stops when
// the tone is in what the page receives; then the same with 100 ms added to every request (far listeners).
// `node bench/audio-join.ts [runs]` starts its own stack; bench/run.ts reuses its.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../dev/browser/chromium.ts";
import { tonesProbe } from "../dev/browser/page-tones.ts";
import { writeToneWav } from "../dev/browser/wav-tone.ts";
import { devSessionCookieValue } from "../dev/dev-sessions.ts";
import { SESSION_COOKIE } from "../worker/http/session.ts";
import { startSnapshotStack } from "./snapshot-stack.ts";
import { median } from "./stats.ts";

const TONE_HZ = 440;
const HOST_ID = "demo-host";
const LISTENER_ID = "demo-ben";

/** What the audio section needs from a running stack: where it is, how to sign in, and the Calls requests so far. */
export type AudioStack = { url: string; sessionSecret: string; callsCounts: () => Record<string, number> };

export type AudioJoinFigures = {
  runs: number;
  /** From opening the Space page to the host's tone present in the listener's received audio. */
  openToFirstAudioMs: { p50: number; min: number; max: number; samples: number[] };
  /** From the page's join request (GET /spaces/:id?join=1, or POST /join when that carried no ticket) to the tone. */
  joinToFirstAudioMs: { p50: number; min: number; max: number; samples: number[] };
  /** Page open → tone with Chromium adding 100 ms to every request (CDP Network.emulateNetworkConditions). */
  openToFirstAudioAt100MsMs?: { p50: number; min: number; max: number; samples: number[] };
  /** Calls API requests the Worker made between opening the page and the tone (median over runs), counted at the SFU. */
  callsPerListenerJoin: number;
  callKinds: Record<string, number>;
};

/** A browser context already signed in as `userId` (the bench owns the stack's session secret; login is not measured). */
async function signedInContext(browser: Browser, stack: AudioStack, userId: string): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.addCookies([{ name: SESSION_COOKIE, value: await devSessionCookieValue(stack.sessionSecret, userId), url: stack.url }]);
  return context;
}

async function openHostSpace(browser: Browser, stack: AudioStack): Promise<string> {
  const page = await (await signedInContext(browser, stack, HOST_ID)).newPage();
  await page.goto(stack.url);
  const spaceId = await page.evaluate(async () => {
    const post = (path: string, body: unknown) =>
      fetch(`/api${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json());
    const created = (await post("/spaces", { title: `Audio bench ${new Date().toISOString()}` })) as { space: { id: string } };
    await post(`/spaces/${created.space.id}/start`, {});
    return created.space.id;
  });
  await page.goto(`${stack.url}/spaces/${spaceId}`);
  await page.locator('[data-testid="room-audio"][data-connection="connected"][data-mic="on"]').waitFor({ timeout: 20_000 });
  return spaceId;
}

/** Far listeners: every request pays `latencyMs` more, as Chromium's network emulation adds it. */
const EMULATED_LATENCY_MS = 100;

async function oneJoin(browser: Browser, stack: AudioStack, spaceId: string, latencyMs = 0) {
  const context = await signedInContext(browser, stack, LISTENER_ID);
  const page: Page = await context.newPage();
  if (latencyMs > 0) {
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: latencyMs, downloadThroughput: -1, uploadThroughput: -1 });
  }
  let joinRequestedAt = 0;
  page.on("request", (request) => {
    const url = new URL(request.url());
    // The page's first data call carries the join ticket; POST /join only when it did not.
    const ticketCall = url.pathname === `/api/spaces/${spaceId}` && url.searchParams.get("join") === "1";
    if ((ticketCall || url.pathname.endsWith(`/spaces/${spaceId}/join`)) && joinRequestedAt === 0) joinRequestedAt = Date.now();
  });
  const before = stack.callsCounts();
  const openedAt = Date.now();
  await page.goto(`${stack.url}/spaces/${spaceId}`);
  await page.locator('audio[data-testid="remote-audio"]').first().waitFor({ state: "attached", timeout: 15_000 });
  const heardAt = await (await tonesProbe(page)).waitForTone(TONE_HZ, "present", 15_000);
  if (heardAt === null) throw new Error("the listener never heard the host's tone");
  // The calls on the path to first audio: everything the Worker asked the SFU for until the tone was there.
  const callKinds: Record<string, number> = {};
  for (const [kind, n] of Object.entries(stack.callsCounts())) if (n - (before[kind] ?? 0) > 0) callKinds[kind] = n - (before[kind] ?? 0);
  await context.close();
  return { openMs: heardAt - openedAt, joinMs: heardAt - joinRequestedAt, calls: Object.values(callKinds).reduce((a, b) => a + b, 0), callKinds };
}

const spread = (samples: number[]) => ({ p50: median(samples), min: Math.min(...samples), max: Math.max(...samples), samples });

export async function measureAudioJoin(stack: AudioStack, options: { runs?: number; log?: (line: string) => void } = {}): Promise<AudioJoinFigures> {
  const runs = options.runs ?? 7;
  const log = options.log ?? (() => {});
  const tempDir = await mkdtemp(join(tmpdir(), "audio-join-"));
  const browsers: Browser[] = [];
  try {
    const hostBrowser = await launchChromium({ fakeAudioFile: await writeToneWav(tempDir, TONE_HZ) });
    browsers.push(hostBrowser);
    const listenerBrowser = await launchChromium();
    browsers.push(listenerBrowser);
    const spaceId = await openHostSpace(hostBrowser, stack);
    const results = [];
    for (let i = 0; i < runs; i++) {
      const result = await oneJoin(listenerBrowser, stack, spaceId);
      log(`run ${i + 1}/${runs}: open → audio ${result.openMs} ms, join → audio ${result.joinMs} ms, ${result.calls} Calls API calls`);
      results.push(result);
    }
    const far = [];
    for (let i = 0; i < runs; i++) {
      const result = await oneJoin(listenerBrowser, stack, spaceId, EMULATED_LATENCY_MS);
      log(`run ${i + 1}/${runs} with ${EMULATED_LATENCY_MS} ms per request: open → audio ${result.openMs} ms`);
      far.push(result);
    }
    return {
      runs,
      openToFirstAudioMs: spread(results.map((r) => r.openMs)),
      openToFirstAudioAt100MsMs: spread(far.map((r) => r.openMs)),
      joinToFirstAudioMs: spread(results.map((r) => r.joinMs)),
      callsPerListenerJoin: median(results.map((r) => r.calls)),
      callKinds: results[0]?.callKinds ?? {},
    };
  } finally {
    await Promise.allSettled(browsers.map((browser) => browser.close()));
    await rm(tempDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runs = Number(process.argv[2] ?? 7);
  const log = (line: string) => console.log(line);
  const stack = await startSnapshotStack(log);
  try {
    const figures = await measureAudioJoin(
      { url: stack.url, sessionSecret: stack.secrets.SESSION_SECRET!, callsCounts: stack.callsCounts },
      { runs, log },
    );
    console.log(JSON.stringify(figures, null, 2));
  } finally {
    await stack.stop();
  }
}
