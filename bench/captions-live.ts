// Captions bench, live part, on the real path: the host's fake mic in Chromium plays a flite sentence with known silences
// (looped) → WebRTC → local SFU stand-in → its WebSocket adapter → the media Durable Object → the pocketsphinx stand-in →
// `caption` frames → a listener's page in Chromium. Figures: speech end → final caption painted on the listener's screen
// (the speech end = the onset seen on the host's captured mic + the speech's length in the WAV), and publish → the
// adapter's first packet to the media object (the SFU stand-in's own clock). One fresh Space per rep.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { DEMO_PASSWORD } from "../dev/seed.ts";
import { watchFinalCaptions, watchMicSpeech, type MicSpeech, type ShownFinal } from "./captions-pages.ts";
import { SPEECH_TEXT } from "./captions-cpu.ts";

const LEAD_MS = 1000;
const TRAIL_MS = 4000;
/** Loud enough to be speech (about −34 dBFS); the padding sox adds is digital silence. */
const SPEECH_THRESHOLD = 0.02;
/** A final whose utterance ends within this of a speech end (its endpoint follows the speech) belongs to it. */
const MATCH_BEFORE_MS = 1000;
const MATCH_AFTER_MS = TRAIL_MS + 500;
const FINAL_DEADLINE_MS = 120_000;
const PAGE_WAIT_MS = 120_000;

export type SpeechClip = { file: string; speechStartMs: number; speechEndMs: number; loopMs: number };
export type AdapterEvent = { event: string; fields: Record<string, unknown> };
export type LiveRep = {
  /** Speech end → its final caption painted on the listener's page, one per measured loop of the sentence. */
  speechEndToFinalMs: number[];
  /**
   * Where the recogniser ended each matched utterance, on the media object's clock (Space start + endMs), minus the
   * speech end: the audio's trip to the media object plus the recogniser's end-of-speech wait. The rest of the delay
   * is recognition and the relay to the page.
   */
  utteranceEndAfterSpeechEndMs: number[];
  missedFinals: number;
  publishToAdapterAudioMs: number;
  adapterNewToFirstPacketMs: number;
  /** Mic-observed speech end minus the one computed from the WAV (how well the onset anchors the clip). */
  anchorErrorMs: number[];
};
export type LiveSetup = { url: string; hostBrowser: Browser; listenerBrowser: Browser; adapterEvents: AdapterEvent[]; clip: SpeechClip };

/** The sentence as the fake mic's WAV (48 kHz mono, LEAD_MS of silence before, TRAIL_MS after) and where speech is in it. */
export function speechLoop(dir: string): SpeechClip {
  const spoken = join(dir, "flite.wav");
  const file = join(dir, "speech-loop.wav");
  const raw = join(dir, "speech-loop.raw");
  execFileSync("flite", ["-voice", "slt", "-t", SPEECH_TEXT, "-o", spoken]);
  execFileSync("sox", [spoken, "-r", "48000", "-c", "1", "-b", "16", file, "pad", String(LEAD_MS / 1000), String(TRAIL_MS / 1000)]);
  execFileSync("sox", [file, "-t", "raw", "-e", "signed-integer", "-b", "16", "-L", raw]);
  const bytes = readFileSync(raw);
  const samples = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
  let first = -1;
  let last = -1;
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i]!) / 32768 > SPEECH_THRESHOLD) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0) throw new Error("flite produced no audible speech");
  return { file, speechStartMs: first / 48, speechEndMs: (last + 1) / 48, loopMs: samples.length / 48 };
}

async function login(page: Page, url: string, handle: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.getByLabel("Handle").fill(handle);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByTestId("me-link").waitFor();
}

/** Polls `read` until it returns a value (a page's state or a log has no event to wait on from here). */
async function until<T>(read: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function startSpace(page: Page): Promise<{ spaceId: string; startedAt: number }> {
  return page.evaluate(async () => {
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`/api${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) }).then((r) => r.json());
    const created = (await call("POST", "/spaces", { title: `Captions bench ${new Date().toISOString()}` })) as { space: { id: string } };
    await call("POST", `/spaces/${created.space.id}/start`, {});
    const space = (await call("GET", `/spaces/${created.space.id}`)) as { space: { startedAt: string } };
    return { spaceId: created.space.id, startedAt: Date.parse(space.space.startedAt) };
  });
}

/** One Space: the host speaks `loops` measured sentences after the listener has captions on and the adapter streams. */
export async function liveRep(setup: LiveSetup, loops: number, log: (line: string) => void): Promise<LiveRep> {
  const { url, clip, adapterEvents } = setup;
  const repStart = Date.now();
  const hostContext = await setup.hostBrowser.newContext();
  const listenerContext = await setup.listenerBrowser.newContext();
  // Pages load slowly on a saturated machine (one recorded rep timed out at Playwright's default 30 s): wait longer.
  for (const context of [hostContext, listenerContext]) context.setDefaultTimeout(PAGE_WAIT_MS);
  try {
    await hostContext.addInitScript(watchMicSpeech, SPEECH_THRESHOLD);
    const host = await hostContext.newPage();
    await login(host, url, "host");
    const { spaceId, startedAt } = await startSpace(host);
    await host.goto(`${url}/spaces/${spaceId}`);
    await host.locator('[data-testid="room-audio"][data-connection="connected"][data-mic="on"]').waitFor();

    await listenerContext.addInitScript(watchFinalCaptions);
    const listener = await listenerContext.newPage();
    await login(listener, url, "ben");
    await listener.goto(`${url}/spaces/${spaceId}`);
    const toggle = listener.getByTestId("captions-toggle");
    await toggle.waitFor();
    if ((await toggle.getAttribute("aria-pressed")) !== "true") await toggle.click();
    await listener.getByTestId("captions-area").waitFor();

    const firstPacket = await until(
      () => adapterEvents.find((e) => e.event === "sfu_adapter_first_packet" && (e.fields.at as number) >= repStart),
      "the host's adapter to deliver audio",
      60_000,
    );
    const from = Math.max(Date.now(), firstPacket.fields.at as number);
    const speechMs = clip.speechEndMs - clip.speechStartMs;
    const micState = () => host.evaluate(() => (window as unknown as { micSpeech: MicSpeech }).micSpeech);
    // The measured sentences start after the listener is ready and the adapter streams, so each is heard whole.
    const onsets = await until(
      async () => {
        const later = (await micState()).onsets.filter((onset) => onset > from);
        return later.length >= loops && Date.now() > later[loops - 1]! + speechMs + TRAIL_MS ? later.slice(0, loops) : undefined;
      },
      `${loops} sentences on the host's mic`,
      (loops + 2) * clip.loopMs + 60_000,
    );
    const ends = onsets.map((onset) => onset + speechMs);
    const observedEnds = (await micState()).ends;

    // Each speech end's final: the one whose utterance ends just after it (in the Space's time, as the media object
    // stamps it), painted on the listener's page; a sentence split in two is shown when its last part is.
    const paintedFor = async (end: number): Promise<ShownFinal | undefined> => {
      const shown = await listener.evaluate(() => (window as unknown as { finalCaptions: ShownFinal[] }).finalCaptions);
      const mine = shown.filter((f) => startedAt + f.endMs >= end - MATCH_BEFORE_MS && startedAt + f.endMs <= end + MATCH_AFTER_MS);
      return mine.sort((a, b) => b.shownAt - a.shownAt)[0];
    };
    const latencies: number[] = [];
    const utteranceEnds: number[] = [];
    let missed = 0;
    for (const end of ends) {
      const final = await until(() => paintedFor(end), "a final caption", Math.max(5_000, end + FINAL_DEADLINE_MS - Date.now())).catch(() => undefined);
      if (final === undefined) missed++;
      else {
        latencies.push(Math.round(final.shownAt - end));
        utteranceEnds.push(Math.round(startedAt + final.endMs - end));
      }
    }
    const anchorErrorMs = ends
      .map((end) => observedEnds.find((observed) => Math.abs(observed - end) < 1000))
      .map((observed, i) => (observed === undefined ? Number.NaN : Math.round(observed - ends[i]!)))
      .filter(Number.isFinite);
    log(`rep: speech end → final on screen ${JSON.stringify(latencies)} ms (utterance end in Space time − speech end: ${JSON.stringify(utteranceEnds)} ms), missed ${missed}; publish → adapter audio ${firstPacket.fields.msSincePublish} ms`);
    await host.evaluate((id) => fetch(`/api/spaces/${id}/end`, { method: "POST" }), spaceId);
    return {
      speechEndToFinalMs: latencies,
      utteranceEndAfterSpeechEndMs: utteranceEnds,
      missedFinals: missed,
      publishToAdapterAudioMs: firstPacket.fields.msSincePublish as number,
      adapterNewToFirstPacketMs: firstPacket.fields.msSinceAdapterNew as number,
      anchorErrorMs,
    };
  } finally {
    await Promise.allSettled([hostContext.close(), listenerContext.close()]);
  }
}
