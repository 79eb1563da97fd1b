// Real audio through the local SFU stand-in: two Chromium publishers (440 Hz, 660 Hz fake mics), one
// Chromium listener; closing the 660 Hz track at the SFU must silence it while 440 Hz keeps playing.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { createCallsClient, type CallsClient } from "../../worker/calls/client.ts";
import type { CallsResult } from "../../worker/calls/types.ts";
import { startSfu, type RunningSfu } from "../../dev/sfu/server.ts";
import { browserAudio, type BrowserAudio } from "./support/browser-audio.ts";
import { launchChromium, startBlankPageServer, type PageServer } from "../../dev/browser/chromium.ts";
import { writeToneWav } from "../../dev/browser/wav-tone.ts";

const LOW_HZ = 440;
const HIGH_HZ = 660;

let sfu: RunningSfu;
let pages: PageServer;
let tempDir: string;
const browsers: Browser[] = [];
const callCounts = new Map<string, number>();
let client: CallsClient;

function totalCalls(): number {
  return [...callCounts.values()].reduce((sum, count) => sum + count, 0);
}

function unwrap<T>(result: CallsResult<T>): T {
  if (!result.ok) assert.fail(`Calls API error ${result.status} ${result.errorCode}: ${result.errorDescription}`);
  return result.value;
}

async function openPage(fakeAudioFile?: string): Promise<BrowserAudio> {
  const browser = await launchChromium({ fakeAudioFile });
  browsers.push(browser);
  const page = await browser.newPage();
  await page.goto(pages.url);
  return browserAudio(page);
}

/** Publishes the page's fake mic as `trackName` in a new or given session; returns ids for pullers. */
async function publish(page: BrowserAudio, trackName: string, existingSessionId?: string) {
  const sessionId = existingSessionId ?? unwrap(await client.newSession()).sessionId;
  const { sdp, mid } = await page.publishMic();
  const pushed = unwrap(
    await client.newTracks(sessionId, {
      sessionDescription: { type: "offer", sdp },
      tracks: [{ location: "local", mid, trackName }],
    }),
  );
  assert.deepEqual(pushed.trackErrors, []);
  await page.applyAnswer(pushed.sessionDescription?.sdp ?? "");
  await page.waitConnected();
  return { sessionId, mid, trackName };
}

/** Pulls tracks into the listener session: the SFU offers, the page answers. Returns the pulled mids in order. */
async function pull(listener: BrowserAudio, sessionId: string, sources: { sessionId: string; trackName: string }[]) {
  const pulled = unwrap(
    await client.newTracks(sessionId, { tracks: sources.map((source) => ({ location: "remote" as const, ...source })) }),
  );
  assert.deepEqual(pulled.trackErrors, []);
  assert.equal(pulled.requiresImmediateRenegotiation, true);
  const answer = await listener.answerOffer(pulled.sessionDescription?.sdp ?? "");
  unwrap(await client.renegotiate(sessionId, { type: "answer", sdp: answer }));
  return pulled.tracks.map((track) => track.mid ?? "");
}

async function statusOf(sessionId: string, mid: string) {
  const state = unwrap(await client.getSession(sessionId));
  return state.tracks.find((track) => track.mid === mid)?.status;
}

before(async () => {
  sfu = await startSfu({ appId: "e2e-app", appSecret: "e2e-secret" });
  client = createCallsClient({
    baseUrl: sfu.url,
    appId: "e2e-app",
    appSecret: "e2e-secret",
    onCall: ({ method }) => callCounts.set(method, (callCounts.get(method) ?? 0) + 1),
  });
  pages = await startBlankPageServer();
  tempDir = await mkdtemp(join(tmpdir(), "sfu-audio-"));
});

after(async () => {
  await Promise.allSettled(browsers.map((browser) => browser.close()));
  await pages?.close();
  await sfu?.close();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
});

test("listener hears both speakers, and a track closed at the SFU goes silent", async () => {
  const [lowTone, highTone] = await Promise.all([writeToneWav(tempDir, LOW_HZ), writeToneWav(tempDir, HIGH_HZ)]);
  const [lowPage, highPage, listener] = await Promise.all([openPage(lowTone), openPage(highTone), openPage()]);

  const low = await publish(lowPage, "mic");
  const high = await publish(highPage, "mic");
  const callsBeforeListener = totalCalls();

  const listenerSessionId = unwrap(await client.newSession()).sessionId;
  const pullStarted = Date.now();
  const heardLow = listener.waitForTone(LOW_HZ, "present", 10_000);
  const heardHigh = listener.waitForTone(HIGH_HZ, "present", 10_000);
  const [lowMid, highMid] = await pull(listener, listenerSessionId, [low, high]);
  await listener.waitConnected();
  const connectedAt = Date.now();
  const [lowAt, highAt] = await Promise.all([heardLow, heardHigh]);
  assert.ok(lowAt !== null, "the listener never heard 440 Hz");
  assert.ok(highAt !== null, "the listener never heard 660 Hz");
  console.log(
    JSON.stringify({
      event: "sfu_audio_timings",
      pullToConnectedMs: connectedAt - pullStarted,
      pullToAudible440Ms: lowAt - pullStarted,
      pullToAudible660Ms: highAt - pullStarted,
      callsPerPublisherJoin: callsBeforeListener / 2,
      callsForListenerJoin: totalCalls() - callsBeforeListener,
    }),
  );
  const heard = await listener.levels([LOW_HZ, HIGH_HZ], lowMid ?? "");
  console.log(JSON.stringify({ event: "sfu_audio_levels", track440: heard }));
  assert.ok(Math.abs(heard.dominantHz - LOW_HZ) <= 6, `440 Hz track dominant at ${heard.dominantHz} Hz`);
  assert.equal(await statusOf(high.sessionId, high.mid), "active");
  assert.equal(await statusOf(listenerSessionId, highMid ?? ""), "active");

  // The host silences the 660 Hz speaker: a forced close at the SFU, no help from the speaker's browser.
  const closed = unwrap(await client.closeTracks(high.sessionId, { tracks: [{ mid: high.mid }], force: true }));
  assert.deepEqual(closed.trackErrors, []);
  const closedAt = Date.now();
  const silencedAt = await listener.waitForTone(HIGH_HZ, "absent", 5_000);
  assert.ok(silencedAt !== null, "660 Hz still audible 5 s after its track was closed");
  console.log(JSON.stringify({ event: "sfu_audio_close", closeToSilentMs: silencedAt - closedAt }));
  assert.ok((await listener.presenceOver(HIGH_HZ, 1_000)) < 0.05, "660 Hz came back after the close");
  assert.ok((await listener.presenceOver(LOW_HZ, 1_000)) > 0.9, "440 Hz stopped along with 660 Hz");
  assert.equal(await statusOf(high.sessionId, high.mid), "inactive");
  assert.equal(await statusOf(listenerSessionId, highMid ?? ""), "inactive");
  assert.equal(await statusOf(listenerSessionId, lowMid ?? ""), "active");

  // Renegotiation after a close: the listener drops the dead pull, the speaker publishes again, the
  // listener pulls the new track on a fresh m-line, and both tones are heard again.
  const dropOffer = await listener.offerWithInactive(highMid ?? "");
  const dropped = unwrap(
    await client.closeTracks(listenerSessionId, {
      tracks: [{ mid: highMid ?? "" }],
      sessionDescription: { type: "offer", sdp: dropOffer },
      force: false,
    }),
  );
  await listener.applyAnswer(dropped.sessionDescription?.sdp ?? "");
  const republished = await publish(highPage, "mic-again", high.sessionId);
  const [againMid] = await pull(listener, listenerSessionId, [republished]);
  assert.notEqual(againMid, highMid, "the new pull must get its own m-line");
  assert.ok((await listener.waitForTone(HIGH_HZ, "present", 10_000, againMid)) !== null, "republished 660 Hz not heard");
  assert.ok((await listener.presenceOver(LOW_HZ, 500)) > 0.9, "440 Hz lost during renegotiation");
});
