// Live captions end to end: fake mics play flite speech (a speaker says a sentence, the host counts), the SFU
// stand-in's adapters feed the media object and the pocketsphinx stand-in, and a listener reads what was said
// with the CC button on. Finals alone reach the screen-reader region, the panel moves between the desktop's right
// column and the phone's main column keeping its lines, the choice survives a reload, axe finds nothing serious, and
// a demoted speaker's adapter closes and their captions stop while the host's go on.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { test } from "node:test";
import type { Browser, Page } from "playwright-core";
import type { CaptionMessage } from "../../worker/protocol/room.ts";
import { useMediaStack } from "./support/media-stack.ts";
import { loginAs } from "./support/stack.ts";

const SENTENCE = "welcome to the space everyone. today we talk about the weather and the music";
const CONTENT_WORDS = ["welcome", "space", "everyone", "weather", "music"];
const HOST_COUNTING = "one two three four five. six seven eight nine ten";
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

type Event = { event: string; fields: Record<string, unknown> };
const sfuEvents: Event[] = [];
const sttEvents: Event[] = [];
const e2e = useMediaStack({
  appId: "e2e-captions",
  onAdapterEvent: (event, fields) => sfuEvents.push({ event, fields }),
  onSttEvent: (event, fields) => sttEvents.push({ event, fields }),
});

/** flite speech as a 48 kHz mono WAV with 1.5 s of silence after it, so each loop ends an utterance. */
function speechWav(text: string, name: string): string {
  const raw = join(e2e.tempDir, `${name}-flite.wav`);
  const out = join(e2e.tempDir, `${name}.wav`);
  execFileSync("flite", ["-voice", "slt", "-t", text, "-o", raw]);
  execFileSync("sox", [raw, "-r", "48000", "-c", "1", "-b", "16", out, "pad", "0", "1.5"]);
  return out;
}

async function personPage(browser: Browser, handle: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await loginAs(page, e2e.stack.url, handle);
  return page;
}

/** Every caption frame the page's room socket receives, with when it arrived. */
function recordCaptions(page: Page): (CaptionMessage & { receivedAt: number })[] {
  const frames: (CaptionMessage & { receivedAt: number })[] = [];
  page.on("websocket", (socket) =>
    socket.on("framereceived", ({ payload }) => {
      if (typeof payload !== "string" || !payload.includes('"caption"')) return;
      const frame = JSON.parse(payload) as CaptionMessage;
      if (frame.type === "caption") frames.push({ ...frame, receivedAt: Date.now() });
    }),
  );
  return frames;
}

/** Remembers every line the screen-reader region gets and whether the visible area showed it as final then. */
async function watchLiveRegion(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: { text: string; finalOnScreen: boolean }[] = [];
    (window as unknown as { liveLines: typeof seen }).liveLines = seen;
    new MutationObserver(() => {
      const live = document.querySelector('[data-testid="captions-live"]');
      if (!live) return;
      const finals = [...document.querySelectorAll('[data-testid="captions-area"] [data-final="true"]')].map((line) => line.textContent?.replace(/\s+/g, " ").trim() ?? "");
      for (const line of live.querySelectorAll("p")) {
        const text = line.textContent?.replace(/\s+/g, " ").trim() ?? "";
        if (seen.some((entry) => entry.text === text)) continue;
        seen.push({ text, finalOnScreen: finals.includes(text) });
      }
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
}

/** Lets the test hold the room socket's caption frames in the page (and let them go, in order), so the captions on
 *  screen change only when the test says; everything else on the socket flows as usual. */
async function holdableCaptions(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, "onmessage")!;
    const held: (() => void)[] = [];
    const control = { holding: false, release: () => { control.holding = false; for (const deliver of held.splice(0)) deliver(); } };
    (window as unknown as { captionFrames: typeof control }).captionFrames = control;
    Object.defineProperty(WebSocket.prototype, "onmessage", {
      ...onmessage,
      set(this: WebSocket, handler: ((event: MessageEvent) => void) | null) {
        onmessage.set!.call(this, handler && function (this: WebSocket, event: MessageEvent) {
          const caption = typeof event.data === "string" && event.data.includes('"caption"') && (JSON.parse(event.data) as { type?: string }).type === "caption";
          if (caption && control.holding) held.push(() => handler.call(this, event));
          else handler.call(this, event);
        });
      },
    });
  });
}

async function setCaptionHold(page: Page, holding: boolean): Promise<void> {
  await page.evaluate((hold) => {
    const control = (window as unknown as { captionFrames: { holding: boolean; release: () => void } }).captionFrames;
    if (hold) control.holding = true;
    else control.release();
  }, holding);
}

/** Where the captions panel is (beside the "About" card on the right, or in the main column under the stage) and
 *  the lines it shows; null while the layout is still between the two. */
async function captionsPlace(page: Page): Promise<{ column: "right" | "main"; lines: string[]; panels: number } | null> {
  return page.evaluate(() => {
    const panels = document.querySelectorAll('[data-testid="captions-panel"]');
    const panel = panels[0]?.getBoundingClientRect();
    const stage = document.querySelector('[data-testid="stage"]')?.getBoundingClientRect();
    const about = document.querySelector('[data-testid="room-about"]')?.getBoundingClientRect();
    if (!panel || !stage) return null;
    const lines = [...document.querySelectorAll('[data-testid="captions-area"] .line')].map((line) => `${(line as HTMLElement).dataset.final}|${line.textContent?.replace(/\s+/g, " ").trim()}`);
    if (about && panel.left >= stage.right && Math.abs(panel.left - about.left) < 1 && panel.bottom <= about.top) return { column: "right", lines, panels: panels.length };
    if (!about && Math.abs(panel.left - stage.left) < 1 && panel.top >= stage.bottom) return { column: "main", lines, panels: panels.length };
    return null;
  });
}

test("a listener reads the stage's words; finals alone reach screen readers; a demoted speaker's captions stop", async () => {
  // The listener shares Ana's browser (its own context, and it never publishes): one Chromium fewer to run.
  const [hostBrowser, anaBrowser] = await Promise.all([e2e.launch(speechWav(HOST_COUNTING, "host")), e2e.launch(speechWav(SENTENCE, "ana"))]);
  const listenerBrowser = anaBrowser;
  const host = await personPage(hostBrowser, "host");
  await host.goto(`${e2e.stack.url}/host`);
  await host.getByLabel("Title").fill("Captions e2e");
  await host.getByRole("button", { name: "Create Space" }).click();
  await host.waitForURL(/\/spaces\/[0-9a-f-]{36}$/);
  const spaceUrl = host.url();
  await host.getByRole("button", { name: "Start Space now" }).click();
  await host.getByTestId("room-audio").and(host.locator('[data-connection="connected"][data-mic="on"]')).waitFor({ timeout: 15_000 });

  const ana = await personPage(anaBrowser, "ana");
  await ana.goto(spaceUrl);
  await ana.getByRole("button", { name: "Request to speak" }).click();
  const approvedAt = Date.now();
  await host.getByRole("button", { name: "Approve Ana Listener" }).click();
  await ana.getByTestId("mic-toggle").filter({ hasText: "Unmute" }).click();
  await ana.getByTestId("room-audio").and(ana.locator('[data-mic="on"]')).waitFor();

  // The listener turns captions on from the keyboard.
  const listener = await personPage(listenerBrowser, "ben");
  const frames = recordCaptions(listener);
  await holdableCaptions(listener);
  await listener.goto(spaceUrl);
  const toggle = listener.getByTestId("captions-toggle");
  await toggle.waitFor();
  assert.equal(await toggle.getAttribute("aria-pressed"), "false");
  await toggle.focus();
  await listener.keyboard.press("Enter");
  assert.equal(await toggle.getAttribute("aria-pressed"), "true");
  await watchLiveRegion(listener);

  // Lines scroll out as new ones come, so the page keeps every content word the captions area has shown.
  await listener.waitForFunction(
    (words) => {
      const state = window as unknown as { shownWords?: Set<string> };
      state.shownWords ??= new Set();
      for (const line of document.querySelectorAll('[data-testid="captions-area"] .line')) {
        for (const word of (line.textContent ?? "").toLowerCase().split(/[^a-z]+/)) if (words.includes(word)) state.shownWords.add(word);
      }
      return state.shownWords.size >= 3;
    },
    CONTENT_WORDS,
    { timeout: 90_000, polling: 100 },
  );
  const shownWords = await listener.evaluate(() => [...(window as unknown as { shownWords: Set<string> }).shownWords]);
  assert.ok(shownWords.length >= 3, `captions showed only ${JSON.stringify(shownWords)}`);
  await listener.getByTestId("captions-area").getByText("Ana Listener:").first().waitFor();
  console.log(JSON.stringify({ event: "captions_heard", shownWords, anaFinals: frames.filter((frame) => frame.handle === "ana" && frame.final).map((frame) => frame.text) }));

  // Ana's adapter is the one created after her approval; its first packet times "on stage → audio at the adapter".
  const anaAdapter = sfuEvents.find((entry) => entry.event === "sfu_adapter_created" && (entry.fields.at as number) > approvedAt);
  assert.ok(anaAdapter, "no adapter was opened when Ana went on stage");
  const firstPacket = sfuEvents.find((entry) => entry.event === "sfu_adapter_first_packet" && entry.fields.adapterId === anaAdapter.fields.adapterId);
  assert.ok(firstPacket, "Ana's adapter delivered no audio");
  console.log(JSON.stringify({
    event: "stage_to_adapter_audio",
    approveToFirstPacketMs: (firstPacket.fields.at as number) - approvedAt,
    publishToFirstPacketMs: firstPacket.fields.msSincePublish,
    adapterNewToFirstPacketMs: firstPacket.fields.msSinceAdapterNew,
  }));

  // Screen readers got finals only: each line of the live region was a final on screen when it arrived.
  await listener.waitForFunction(() => ((window as unknown as { liveLines?: unknown[] }).liveLines?.length ?? 0) > 0, undefined, { timeout: 60_000 });
  const liveLines = await listener.evaluate(() => (window as unknown as { liveLines: { text: string; finalOnScreen: boolean }[] }).liveLines);
  assert.ok(liveLines.every((line) => line.finalOnScreen), `the live region got a non-final line: ${JSON.stringify(liveLines)}`);
  assert.equal(await listener.getByTestId("captions-live").getAttribute("aria-live"), "polite");
  assert.ok(frames.some((frame) => !frame.final), "no interim captions arrived");

  // axe on the caption UI.
  // Evaluated through DevTools: the app's CSP refuses inline <script> tags, and stays on.
  await listener.evaluate(AXE_SOURCE);
  const violations = await listener.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (context: Element, options: object) => Promise<{ violations: { id: string; impact: string | null }[] }> } }).axe;
    const panel = document.querySelector('[data-testid="captions-panel"]')!;
    return (await axe.run(panel, { resultTypes: ["violations"] })).violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
  });
  assert.deepEqual(violations, []);

  // On a desktop the panel is in the right column, on a phone under the stage; crossing the breakpoint either way
  // keeps the lines it showed (caption frames are held meanwhile, so nothing else could change them) and keeps the
  // screen-reader region the same element with the same finals, so nothing already read is inserted again.
  await listener.getByTestId("captions-area").locator('[data-final="true"]').first().waitFor();
  await setCaptionHold(listener, true);
  const desktop = await captionsPlace(listener);
  assert.ok(desktop?.column === "right", `on a desktop the captions panel sits in the right column: ${JSON.stringify(desktop)}`);
  assert.ok(desktop.lines.some((line) => line.startsWith("true|")), `a final line is shown: ${JSON.stringify(desktop.lines)}`);
  const spokenBefore = await listener.evaluate(() => {
    const live = document.querySelector('[data-testid="captions-live"]') as HTMLElement & { seenBefore?: boolean };
    live.seenBefore = true;
    return live.textContent;
  });
  for (const [viewport, column] of [[{ width: 390, height: 844 }, "main"], [{ width: 1280, height: 800 }, "right"]] as const) {
    await listener.setViewportSize(viewport);
    await listener.waitForFunction(
      (want) => {
        const panel = document.querySelector('[data-testid="captions-panel"]');
        const about = document.querySelector('[data-testid="room-about"]');
        return panel !== null && (want === "right") === (about !== null);
      },
      column,
    );
    const place = await captionsPlace(listener);
    assert.deepEqual(place, { column, lines: desktop.lines, panels: 1 }, `at ${viewport.width} px`);
    const live = await listener.evaluate(() => {
      const region = document.querySelector('[data-testid="captions-live"]') as (HTMLElement & { seenBefore?: boolean }) | null;
      return { sameElement: region?.seenBefore === true, text: region?.textContent };
    });
    assert.deepEqual(live, { sameElement: true, text: spokenBefore }, `the screen-reader region at ${viewport.width} px`);
  }
  await setCaptionHold(listener, false);

  // Readable on a 390 px phone and at 200 % zoom there (195 CSS px): captions wrap inside the viewport.
  for (const viewport of [{ width: 390, height: 844 }, { width: 195, height: 422 }]) {
    await listener.setViewportSize(viewport);
    const overflow = await listener.evaluate(() => {
      const panel = document.querySelector('[data-testid="captions-panel"]')!;
      const area = document.querySelector('[data-testid="captions-area"]')!;
      return { panelPastViewport: Math.max(0, Math.ceil(panel.getBoundingClientRect().right - window.innerWidth)), area: area.scrollWidth - area.clientWidth };
    });
    assert.deepEqual({ viewport, overflow }, { viewport, overflow: { panelPastViewport: 0, area: 0 } });
  }
  await listener.setViewportSize({ width: 1280, height: 800 });

  // The choice is remembered in this browser.
  await listener.reload();
  await listener.getByTestId("captions-area").waitFor();
  assert.equal(await listener.getByTestId("captions-toggle").getAttribute("aria-pressed"), "true");

  // Demote Ana: her adapter closes at the SFU, her recogniser stream ends after flushing her last words, and from
  // then on the host's captions keep coming while Ana's have stopped.
  const stageEntry = host.getByTestId("stage-ana");
  await stageEntry.getByText("Manage").click();
  await stageEntry.getByRole("button", { name: "Move to listeners", exact: true }).click();
  await ana.getByRole("button", { name: "Request to speak" }).waitFor();
  await waitFor(() => sfuEvents.some((entry) => entry.event === "sfu_adapter_closed" && entry.fields.adapterId === anaAdapter.fields.adapterId), "Ana's adapter to close", 90_000);
  await waitFor(() => e2e.stt.openStreams() <= 1, "Ana's recogniser stream to end (only the host's left)", 90_000);
  const anaStreamEndedAt = Date.now();
  await listener.getByTestId("captions-area").locator('[data-final="false"]', { hasText: "Ana Listener:" }).waitFor({ state: "detached" });
  // Ana's last words were relayed before the host's next two caption frames (the media object sends in order).
  await waitFor(() => frames.filter((frame) => frame.handle === "host" && frame.receivedAt > anaStreamEndedAt).length >= 2, "the host's captions to go on", 180_000);
  const boundary = frames.filter((frame) => frame.handle === "host" && frame.receivedAt > anaStreamEndedAt)[1]!.receivedAt;
  const anaLate = frames.filter((frame) => frame.handle === "ana" && frame.receivedAt > boundary);
  assert.deepEqual(anaLate.map((frame) => frame.text), [], "Ana's captions went on after she left the stage");

  const closed = sfuEvents.find((entry) => entry.event === "sfu_adapter_closed" && entry.fields.adapterId === anaAdapter.fields.adapterId)!;
  const stream = sttEvents.find((entry) => entry.event === "stt_stream_closed");
  console.log(JSON.stringify({
    event: "caption_bytes",
    adapterBytesPerMinute: Math.round(((closed.fields.bytesProcessed as number) / ((closed.fields.packets as number) * 0.02)) * 60),
    sttBytesPerMinute: stream ? Math.round(((stream.fields.audioBytes as number) / (stream.fields.audioSeconds as number)) * 60) : null,
  }));
});

async function waitFor(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
