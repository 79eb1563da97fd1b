// Replay figures in real Chromium against the bench's frozen stack: the host records a few Spaces (recording switched
// on before the start; the fake mic plays a 440 Hz tone and a flite sentence), ends each, and the clock runs from the
// end call's answer to GET /replay answering 200 (end → replay ready). Then, on the last replay's page while it plays,
// the position slider moves to spread-out points and the page times input event → currentTime moving past the new
// point (seek → first sound). Reported as median with min–max.
// Run: node_modules/.bin/node bench/replay-seek.ts [spaces=3] [recordSeconds=30] [seeks=9]; writes bench/results/replay-seek.json.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Page } from "playwright-core";
import { launchChromium } from "../dev/browser/chromium.ts";
import { playReplay, seekToFirstSoundMs } from "../dev/browser/replay-player.ts";
import { writeToneSpeechWav } from "../dev/browser/wav-tone-speech.ts";
import { devSessionCookieValue } from "../dev/dev-sessions.ts";
import { SESSION_COOKIE } from "../worker/http/session.ts";
import type { ReplayResponse } from "../worker/protocol/replay.ts";
import { startSnapshotStack } from "./snapshot-stack.ts";
import { sleep, spreadOf } from "./stats.ts";

const RESULTS_FILE = "bench/results/replay-seek.json";
const HOST_ID = "demo-host";
const spaces = Number(process.argv[2] ?? 3);
const recordSeconds = Number(process.argv[3] ?? 30);
const seeks = Number(process.argv[4] ?? 9);
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

/** A JSON call from the signed-in page (same origin, the session cookie goes along). */
async function call<T>(page: Page, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  return page.evaluate(
    async ([m, p, b]) => {
      const response = await fetch(`/api${p}`, { method: m, headers: b === undefined ? {} : { "content-type": "application/json" }, body: b === undefined ? undefined : JSON.stringify(b) });
      return { status: response.status, json: await response.json() };
    },
    [method, path, body] as const,
  ) as Promise<{ status: number; json: T }>;
}

/** One recorded Space: created, recording on before the start, started, heard for `recordSeconds`, ended. */
async function recordOne(page: Page, url: string, index: number): Promise<{ spaceId: string; endToReadyMs: number; replay: ReplayResponse }> {
  const created = await call<{ space: { id: string } }>(page, "POST", "/spaces", { title: `Replay bench ${index + 1}` });
  const spaceId = created.json.space.id;
  if ((await call(page, "POST", `/spaces/${spaceId}/recording`, { on: true })).status !== 200) throw new Error("recording on before the start failed");
  await page.goto(`${url}/spaces/${spaceId}`);
  await page.getByRole("button", { name: "Start Space now" }).click();
  await page.locator('[data-testid="room-audio"][data-connection="connected"][data-mic="on"]').waitFor({ timeout: 60_000 });
  // The recording's length is the workload: the host speaks for this long.
  await sleep(recordSeconds * 1000);
  const ended = await call(page, "POST", `/spaces/${spaceId}/end`);
  if (ended.status !== 200) throw new Error(`end failed: ${ended.status}`);
  const endedAt = Date.now();
  for (;;) {
    const replay = await call<ReplayResponse>(page, "GET", `/spaces/${spaceId}/replay`);
    if (replay.status === 200) return { spaceId, endToReadyMs: Date.now() - endedAt, replay: replay.json };
    if (Date.now() - endedAt > 120_000) throw new Error(`no replay 120 s after the end (${replay.status})`);
    await sleep(50);
  }
}

const tempDir = await mkdtemp(join(tmpdir(), "replay-seek-"));
const stack = await startSnapshotStack(log);
const browser = await launchChromium({ fakeAudioFile: writeToneSpeechWav(tempDir, "welcome to the space everyone. today we talk about the weather and the music").path });
try {
  const context = await browser.newContext();
  await context.addCookies([{ name: SESSION_COOKIE, value: await devSessionCookieValue(stack.secrets.SESSION_SECRET!, HOST_ID), url: stack.url }]);
  const page = await context.newPage();
  await page.goto(stack.url);
  const recorded = [];
  for (let i = 0; i < spaces; i++) {
    const one = await recordOne(page, stack.url, i);
    log(`space ${i + 1}/${spaces}: ${Math.round(one.replay.durationMs / 1000)} s recorded, end → replay ready ${one.endToReadyMs} ms`);
    recorded.push(one);
  }
  const last = recorded.at(-1)!;
  await page.goto(`${stack.url}/spaces/${last.spaceId}/replay`);
  await page.getByTestId("replay-audio").waitFor({ state: "attached" });
  await playReplay(page);
  // Spread over the recording, never the same point twice in a row, on the slider's 1 s steps.
  const lastSecond = Math.floor(last.replay.durationMs / 1000) - 3;
  const targets = Array.from({ length: seeks }, (_, i) => 1000 * (1 + Math.round(((i * 7) % seeks) * (lastSecond - 1) / Math.max(1, seeks - 1))));
  const seekMs: number[] = [];
  for (const target of targets) {
    const ms = await seekToFirstSoundMs(page, target);
    log(`seek to ${target / 1000} s → first sound ${ms.toFixed(1)} ms`);
    seekMs.push(Math.round(ms * 10) / 10);
  }
  const figures = {
    measuredAt: new Date().toISOString(),
    commit: execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim(),
    node: process.version,
    chromium: browser.version(),
    contentType: (await page.request.get(`${stack.url}${last.replay.audioUrl}`, { headers: { Range: "bytes=0-0" } })).headers()["content-type"],
    spaces,
    recordSeconds,
    endToReplayReadyMs: spreadOf(recorded.map((r) => r.endToReadyMs)),
    seekToFirstSoundMs: spreadOf(seekMs),
    seekTargetsMs: targets,
  };
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(JSON.stringify(figures, null, 2));
} finally {
  await browser.close();
  await stack.stop();
  await rm(tempDir, { recursive: true, force: true });
}
