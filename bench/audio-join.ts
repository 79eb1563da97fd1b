// Listener join → first received audio, and Calls API calls per join, measured in real Chromium against the stack:
// the host's fake mic plays 440 Hz, a listener opens the Space page in a fresh context and the clock stops when the
// tone is in what the page receives. `node bench/audio-join.ts [runs]` prints the figures; bench/run.ts imports it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { ensureLocalSecrets } from "../dev/stack.ts";
import { launchChromium } from "../test/e2e/support/chromium.ts";
import { startCountingSfu, type CountingSfu } from "../test/e2e/support/counting-sfu.ts";
import { tonesProbe } from "../test/e2e/support/page-tones.ts";
import { loginAs, startTestStack, type Stack } from "../test/e2e/support/stack.ts";
import { writeToneWav } from "../test/e2e/support/wav-tone.ts";

const TONE_HZ = 440;

export type AudioJoinFigures = {
  runs: number;
  /** From opening the Space page to the host's tone present in the listener's received audio. */
  openToFirstAudioMs: { p50: number; min: number; max: number; samples: number[] };
  /** From the page's POST /join (the room join itself) to the tone. */
  joinToFirstAudioMs: { p50: number; samples: number[] };
  /** Calls API requests the Worker made for one listener join (median over runs), and their kinds in the first run. */
  callsPerListenerJoin: number;
  callKinds: Record<string, number>;
  /** "sfu": counted at a proxy in front of the SFU; "audio-routes": the page's audio route calls (one Calls call each). */
  countedAt: "sfu" | "audio-routes";
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
};

async function openHostSpace(browser: Browser, url: string): Promise<string> {
  const page = await (await browser.newContext()).newPage();
  await loginAs(page, url, "host");
  const spaceId = await page.evaluate(async () => {
    const post = (path: string, body: unknown) =>
      fetch(`/api${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json());
    const created = (await post("/spaces", { title: `Audio bench ${new Date().toISOString()}` })) as { space: { id: string } };
    await post(`/spaces/${created.space.id}/start`, {});
    return created.space.id;
  });
  await page.goto(`${url}/spaces/${spaceId}`);
  await page.locator('[data-testid="room-audio"][data-connection="connected"][data-mic="on"]').waitFor({ timeout: 20_000 });
  return spaceId;
}

async function oneJoin(browser: Browser, url: string, spaceId: string, sfu: CountingSfu | null) {
  const context = await browser.newContext();
  const page: Page = await context.newPage();
  await loginAs(page, url, "ben");
  const routeCalls: Record<string, number> = {};
  let joinRequestedAt = 0;
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (path.endsWith(`/spaces/${spaceId}/join`)) joinRequestedAt = Date.now();
    const step = path.match(/\/audio\/(\w+)$/)?.[1];
    if (step) routeCalls[step] = (routeCalls[step] ?? 0) + 1;
  });
  const sfuBefore = sfu?.counts() ?? {};
  const openedAt = Date.now();
  await page.goto(`${url}/spaces/${spaceId}`);
  await page.locator('audio[data-testid="remote-audio"]').first().waitFor({ state: "attached", timeout: 15_000 });
  const heardAt = await (await tonesProbe(page)).waitForTone(TONE_HZ, "present", 15_000);
  if (heardAt === null) throw new Error("the listener never heard the host's tone");
  await new Promise((resolve) => setTimeout(resolve, 300));
  const callKinds: Record<string, number> = {};
  if (sfu) {
    for (const [kind, n] of Object.entries(sfu.counts())) if (n - (sfuBefore[kind] ?? 0) > 0) callKinds[kind] = n - (sfuBefore[kind] ?? 0);
  } else Object.assign(callKinds, routeCalls);
  await context.close();
  return { openMs: heardAt - openedAt, joinMs: heardAt - joinRequestedAt, calls: Object.values(callKinds).reduce((a, b) => a + b, 0), callKinds };
}

/** Measures on a running stack at `url` (calls counted from the audio routes), or starts its own (counted at the SFU). */
export async function measureAudioJoin(options: { url?: string; runs?: number; log?: (line: string) => void } = {}): Promise<AudioJoinFigures> {
  const runs = options.runs ?? 7;
  const log = options.log ?? (() => {});
  const tempDir = await mkdtemp(join(tmpdir(), "audio-join-"));
  let sfu: CountingSfu | null = null;
  let stack: Stack | null = null;
  const browsers: Browser[] = [];
  try {
    let url = options.url;
    if (!url) {
      sfu = await startCountingSfu("bench-audio", ensureLocalSecrets().CALLS_APP_SECRET!);
      stack = await startTestStack({ CALLS_API_BASE: sfu.url, CALLS_APP_ID: sfu.appId });
      url = stack.url;
    }
    const hostBrowser = await launchChromium({ fakeAudioFile: await writeToneWav(tempDir, TONE_HZ) });
    browsers.push(hostBrowser);
    const listenerBrowser = await launchChromium();
    browsers.push(listenerBrowser);
    const spaceId = await openHostSpace(hostBrowser, url);
    const results = [];
    for (let i = 0; i < runs; i++) {
      const result = await oneJoin(listenerBrowser, url, spaceId, sfu);
      log(`run ${i + 1}/${runs}: open → audio ${result.openMs} ms, join → audio ${result.joinMs} ms, ${result.calls} Calls API calls`);
      results.push(result);
    }
    const openSamples = results.map((r) => r.openMs);
    return {
      runs,
      openToFirstAudioMs: { p50: median(openSamples), min: Math.min(...openSamples), max: Math.max(...openSamples), samples: openSamples },
      joinToFirstAudioMs: { p50: median(results.map((r) => r.joinMs)), samples: results.map((r) => r.joinMs) },
      callsPerListenerJoin: median(results.map((r) => r.calls)),
      callKinds: results[0]?.callKinds ?? {},
      countedAt: sfu ? "sfu" : "audio-routes",
    };
  } finally {
    await Promise.allSettled(browsers.map((browser) => browser.close()));
    await stack?.stop();
    await sfu?.close();
    await rm(tempDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runs = Number(process.argv[2] ?? 7);
  console.log(JSON.stringify(await measureAudioJoin({ runs, log: (line) => console.log(line) }), null, 2));
}
