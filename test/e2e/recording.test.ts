// Recording end to end: the host turns recording on before the start, their fake mic plays 440 Hz then a flite
// sentence (looped), the real SFU stand-in's adapters feed the media object's recorder and the pocketsphinx stand-in.
// After the end, Debian's ffmpeg decodes the replay: each tone and sentence has its edges where the host's own mic
// heard them (±0.3 s on the Space's timeline), transcript lines end where the speech does; Range gives 206; on the
// replay page play, a transcript click seeks, a chosen clip range (edges ±0.25 s) plays on /clips/:id; axe clean.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { APIResponse, Page } from "playwright-core";
import { clickLineAndSeek, playReplay, playsOnClipPage } from "../../dev/browser/replay-player.ts";
import { writeToneSpeechWav, type ToneSpeechLayout } from "../../dev/browser/wav-tone-speech.ts";
import { analyseRecording, decodeToPcm, lastOf, shareOf, type Run } from "../../dev/replay-audio.ts";
import { formatClock } from "../../worker/protocol/clip-range.ts";
import type { ReplayResponse } from "../../worker/protocol/replay.ts";
import { seriousViolations } from "./support/axe.ts";
import { watchMicTone } from "./support/mic-tone-watch.ts";
import { useMediaStack } from "./support/media-stack.ts";
import { loginAs } from "./support/stack.ts";
import { waitUntil } from "./support/wait.ts";


const SENTENCE = "welcome to the space everyone. today we talk about the weather and the music";
const CONTENT_WORDS = ["welcome", "space", "everyone", "today", "talk", "weather", "music"];
const TONE_TOLERANCE_MS = 300;
const CLIP_TOLERANCE_MS = 250;

let layout: ToneSpeechLayout;
const firstPackets: number[] = [];
const e2e = useMediaStack({
  appId: "e2e-recording",
  onAdapterEvent: (event, fields) => {
    if (event === "sfu_adapter_first_packet") firstPackets.push(fields.at as number);
  },
});

const hasContentWord = (text: string) => text.toLowerCase().split(/[^a-z]+/).some((word) => CONTENT_WORDS.includes(word));
const nearest = (runs: Run[], atMs: number) => Math.min(...runs.map((run) => Math.abs(run.startMs - atMs)));
const nearestEnd = (runs: Run[], atMs: number) => Math.min(...runs.map((run) => Math.abs(run.endMs - atMs)));

async function okJson<T>(response: APIResponse): Promise<T> {
  assert.equal(response.status(), 200, `${response.url()} answered ${response.status()}: ${await response.text()}`);
  return (await response.json()) as T;
}

test("a recorded Space replays with its tone, words and transcript in place; clips cut where asked", async () => {
  layout = writeToneSpeechWav(e2e.tempDir, SENTENCE);
  const browser = await e2e.launch(layout.path);
  const host = await (await browser.newContext()).newPage();
  const micOnsets = await watchMicTone(host, layout.toneHz);
  await loginAs(host, e2e.stack.url, "host");
  await host.goto(`${e2e.stack.url}/host`);
  await host.getByLabel("Title").fill("Recording e2e");
  await host.getByRole("button", { name: "Create Space" }).click();
  await host.waitForURL(/\/spaces\/[0-9a-f-]{36}$/);
  const spaceId = host.url().split("/").pop()!;

  // Consent before the start: the host records from the first second, and a visitor is told so on the Space's page.
  const choice = host.getByTestId("record-on-start");
  await choice.click();
  await host.locator('[data-testid="record-on-start"][aria-pressed="true"]').waitFor();
  const visitor = await (await browser.newContext()).newPage();
  await loginAs(visitor, e2e.stack.url, "ben");
  await visitor.goto(`${e2e.stack.url}/spaces/${spaceId}`);
  await visitor.getByTestId("will-be-recorded").waitFor();
  await visitor.context().close();

  await host.getByRole("button", { name: "Start Space now" }).click();
  await host.getByTestId("room-audio").and(host.locator('[data-connection="connected"][data-mic="on"]')).waitFor({ timeout: 30_000 });
  await host.getByTestId("rec-badge").waitFor();

  // Audio reaches the recorder from the adapter's first packet on; two whole loops after that, and words in the
  // transcript, are enough to end.
  const flowing = await waitUntil(async () => firstPackets[0] ?? null, (at) => at !== null, 60_000);
  assert.ok(flowing !== null, "the SFU never sent the host's audio to the media object");
  const counted = (await waitUntil(micOnsets, (onsets) => onsets.filter((at) => at > flowing).length >= 2, 120_000, 250)).filter((at) => at > flowing);
  const started = Date.parse((await okJson<{ space: { startedAt: string } }>(await host.request.get(`${e2e.stack.url}/api/spaces/${spaceId}`))).space.startedAt);
  // The sentence after the second counted tone is transcribed only once that tone is whole (and well past) in the
  // recording: waiting for it, not just for any words, keeps two tones to place even when the first loop came early.
  const secondToneEndMs = counted[1]! - started + layout.toneMs;
  const transcript = await waitUntil(
    async () => (await okJson<{ segments: { text: string; startMs: number }[] }>(await host.request.get(`${e2e.stack.url}/api/spaces/${spaceId}/transcript`))).segments,
    (segments) => segments.some((segment) => hasContentWord(segment.text) && segment.startMs >= secondToneEndMs),
    120_000,
    500,
  );
  assert.ok(transcript.some((segment) => hasContentWord(segment.text)), `no sentence words in ${JSON.stringify(transcript)}`);
  await host.getByRole("button", { name: "End Space" }).click();
  await host.getByRole("button", { name: "Yes, end for everyone" }).click();
  const endedAt = Date.now();
  const onsets = (await micOnsets()).filter((at) => at > flowing);

  const replayUrl = `${e2e.stack.url}/api/spaces/${spaceId}/replay`;
  const ready = await waitUntil(() => host.request.get(replayUrl), (response) => response.status() === 200, 60_000, 100);
  const replay = await okJson<ReplayResponse>(ready);
  const space = await okJson<{ space: { startedAt: string } }>(await host.request.get(`${e2e.stack.url}/api/spaces/${spaceId}`));
  const startedAt = Date.parse(space.space.startedAt);
  console.log(JSON.stringify({ event: "end_to_replay_ready", ms: Date.now() - endedAt, durationMs: replay.durationMs, offsetMs: replay.offsetMs }));

  // The replay, whatever its codec, decodes; its tones and sentences are where the host's mic had them.
  const audio = await host.request.get(`${e2e.stack.url}${replay.audioUrl}`);
  assert.equal(audio.status(), 200);
  assert.match(audio.headers()["content-type"] ?? "", /^audio\//);
  const pcm = await decodeToPcm(await audio.body());
  const heard = analyseRecording(pcm, layout.toneHz);
  assert.ok(Math.abs(heard.durationMs - replay.durationMs) <= 500, `decoded ${heard.durationMs} ms, the API says ${replay.durationMs} ms`);
  const expected = onsets.map((at) => at - startedAt - replay.offsetMs).filter((ms) => ms > 0 && ms + layout.toneMs + 1_300 <= endedAt - startedAt - replay.offsetMs);
  assert.ok(expected.length >= 2, `too few tones to place: mic onsets ${JSON.stringify(onsets)}, started ${startedAt}`);
  // Each tone and sentence is placed by its two edges (start and end within ±0.3 s of where the mic had them). A
  // shifted timeline moves both edges; a delivery stall under load can cost one edge a few hundred ms of audio (the
  // recorder drops samples that arrive after their chunk was stored), so one edge in place is the bar per item, and
  // at least two tone onsets must be in place themselves. Every edge is logged.
  const edges = (runs: Run[], startMs: number, lengthMs: number) => ({
    startMs,
    startOffMs: Math.round(nearest(runs, startMs)),
    endOffMs: Math.round(nearestEnd(runs, startMs + lengthMs)),
  });
  const speechShift = layout.speechStartMs - layout.toneStartMs;
  const heardUntilMs = endedAt - startedAt - replay.offsetMs - 1_000;
  const placement = expected.map((toneAt) => ({
    tone: edges(heard.tone, toneAt, layout.toneMs),
    speech: toneAt + speechShift + layout.speechMs <= heardUntilMs ? edges(heard.speech, toneAt + speechShift, layout.speechMs) : null,
  }));
  console.log(JSON.stringify({ event: "replay_placement", placement, tones: heard.tone, speech: heard.speech }));
  const inPlace = (item: { startOffMs: number; endOffMs: number }) => Math.min(item.startOffMs, item.endOffMs) <= TONE_TOLERANCE_MS;
  for (const place of placement) {
    assert.ok(inPlace(place.tone), `a tone is out of place: ${JSON.stringify(place)}`);
    if (place.speech) assert.ok(inPlace(place.speech), `a sentence is out of place: ${JSON.stringify(place)}`);
  }
  assert.ok(placement.filter((place) => place.tone.startOffMs <= TONE_TOLERANCE_MS).length >= 2, `fewer than two tone onsets in place: ${JSON.stringify(placement)}`);

  // Transcript lines with the sentence's words hold its speech, and end where it ends: the last speech inside a line
  // is at most 1.5 s (the recogniser's endpointing pause) before the line's end, and the line does not end mid-speech.
  const lines = replay.segments.filter((segment) => hasContentWord(segment.text));
  assert.ok(lines.length > 0, `the replay has no transcript lines with the sentence: ${JSON.stringify(replay.segments)}`);
  const lineChecks = lines.map((line) => ({
    line,
    speechMs: Math.round(shareOf(heard, "speech", line.startMs, line.endMs) * (line.endMs - line.startMs)),
    lastSpeechMs: lastOf(heard, "speech", line.startMs, line.endMs),
    speechAroundEnd: shareOf(heard, "speech", line.endMs - 150, line.endMs + 150),
  }));
  console.log(JSON.stringify({ event: "transcript_alignment", lineChecks }));
  for (const check of lineChecks) {
    const what = JSON.stringify(check);
    assert.ok(check.speechMs >= 500, `a line holds too little speech: ${what}`);
    assert.ok(check.lastSpeechMs !== null && check.line.endMs - check.lastSpeechMs <= 1_500, `a line ends long after its speech: ${what}`);
    assert.ok(check.speechAroundEnd < 0.5, `a line ends in the middle of speech: ${what}`);
  }

  // Range: 206 with the asked bytes.
  const part = await host.request.get(`${e2e.stack.url}${replay.audioUrl}`, { headers: { Range: "bytes=0-1023" } });
  assert.equal(part.status(), 206);
  assert.match(part.headers()["content-range"] ?? "", /^bytes 0-1023\/\d+$/);
  assert.equal((await part.body()).byteLength, 1024);

  await browserPart(host, spaceId, replay, heard.tone);
});

/** The replay page: it plays, a transcript line seeks there, the clip form explains a bad range, a clip plays. */
async function browserPart(page: Page, spaceId: string, replay: ReplayResponse, tones: Run[]): Promise<void> {
  await page.goto(`${e2e.stack.url}/spaces/${spaceId}/replay`);
  await page.getByTestId("replay-audio").waitFor({ state: "attached" });
  await playReplay(page);
  const lineIndex = replay.segments.findIndex((segment) => segment.startMs >= 1_000);
  if (lineIndex >= 0) {
    const seekedToMs = await clickLineAndSeek(page, lineIndex);
    assert.ok(Math.abs(seekedToMs - replay.segments[lineIndex]!.startMs) <= 250, `seeked to ${seekedToMs} ms, the line starts at ${replay.segments[lineIndex]!.startMs}`);
    assert.equal(await page.getByTestId("transcript-line").nth(lineIndex).getAttribute("aria-current"), "true");
  }
  assert.deepEqual(await seriousViolations(page), []);
  // Phone first: at 390 px nothing of the player, transcript or clip form pokes out sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), 0);

  // A clip around a tone's onset: 1 s of silence before it, 1 s of tone.
  const tone = tones.find((run) => run.startMs >= 1_500 && run.endMs - run.startMs >= 1_200);
  assert.ok(tone, `no tone to clip in ${JSON.stringify(tones)}`);
  const clipStartMs = Math.round((tone.startMs - 1_000) / 100) * 100;
  const clipEndMs = clipStartMs + 2_000;
  await page.getByTestId("clip-start").fill(formatClock(clipStartMs));
  // From the keyboard: a range that ends where it starts, sent with Enter, is explained by the field, which gets the
  // focus; nothing is asked.
  await page.getByTestId("clip-end").fill(formatClock(clipStartMs));
  await page.getByTestId("clip-end").press("Enter");
  assert.equal(await page.getByTestId("clip-error").textContent(), "The end must come after the start.");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "clip-end");
  assert.equal(await page.getByTestId("clip-end").getAttribute("aria-invalid"), "true");
  await page.getByTestId("clip-end").fill(formatClock(clipEndMs));
  await page.getByTestId("make-clip").click();
  const link = page.getByTestId("clip-link");
  await link.waitFor({ timeout: 30_000 });
  const clipPath = (await link.getAttribute("href"))!;
  const clipId = clipPath.split("/").pop()!;

  const clip = await okJson<{ clip: { audioUrl: string; startMs: number; durationMs: number } }>(await page.request.get(`${e2e.stack.url}/api/clips/${clipId}`));
  assert.equal(clip.clip.durationMs, 2_000);
  assert.equal(clip.clip.startMs, replay.offsetMs + clipStartMs);
  const clipAudio = await page.request.get(`${e2e.stack.url}${clip.clip.audioUrl}`);
  assert.match(clipAudio.headers()["content-type"] ?? "", /^audio\//);
  const cut = analyseRecording(await decodeToPcm(await clipAudio.body()), layout.toneHz);
  const clipTone = cut.tone[0];
  assert.ok(clipTone, "the clip holds no tone");
  console.log(JSON.stringify({ event: "clip_boundaries", clipStartMs, toneInReplayMs: tone.startMs, toneInClip: clipTone, clipDurationMs: cut.durationMs }));
  assert.ok(Math.abs(clipTone.startMs - (tone.startMs - clipStartMs)) <= CLIP_TOLERANCE_MS, `the clip's start is off: tone at ${clipTone.startMs} ms in the clip`);
  assert.ok(Math.abs(cut.durationMs - 2_000) <= CLIP_TOLERANCE_MS, `the clip lasts ${cut.durationMs} ms`);
  assert.ok(cut.durationMs - clipTone.endMs <= CLIP_TOLERANCE_MS, `the clip's end is off: the tone stops at ${clipTone.endMs} of ${cut.durationMs} ms`);

  await link.click();
  await page.waitForURL(`**${clipPath}`);
  await playsOnClipPage(page);
  assert.match((await page.getByTestId("clip-share").inputValue()) ?? "", new RegExp(`/clips/${clipId}$`));
}
