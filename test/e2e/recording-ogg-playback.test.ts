// Chromium plays and seeks the recording's Ogg Opus as the media object writes it: a replay (re-muxed parts) and a clip
// cut from it, served with Range by the Worker's own Range parser. The <audio> element's duration matches, a seek
// lands where asked, and what plays there is the tone or the silence that was recorded at that time (Web Audio level).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../../dev/browser/chromium.ts";
import { parseRange } from "../../worker/http/byte-range.ts";
import { cutOggOpus, demuxOggOpus, muxOggOpus } from "../../worker/media/recording/ogg-opus.ts";
import { OpusStream, RECORDING_CONTENT_TYPE, RECORDING_SAMPLE_RATE } from "../../worker/media/recording/recording-format.ts";

const opusModule = new WebAssembly.Module(readFileSync(new URL("../../node_modules/@evan/opus/wasm/opus.wasm", import.meta.url)));
const files = new Map<string, Uint8Array>();
const statuses: number[] = [];
let server: Server;
let base: string;
let browser: Browser;
let clipPreSkipS = 0;

/** 12 s: silence until 5 s, then a 440 Hz tone; encoded in 4 s parts by one encoder like the recorder does. */
async function replaySource() {
  const stream = await OpusStream.create(opusModule);
  const samples = new Float32Array(12 * RECORDING_SAMPLE_RATE);
  for (let i = 5 * RECORDING_SAMPLE_RATE; i < samples.length; i++) samples[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / RECORDING_SAMPLE_RATE);
  const packets: Uint8Array[] = [];
  for (let at = 0; at < samples.length; at += 4 * RECORDING_SAMPLE_RATE) packets.push(...stream.encode(samples.subarray(at, at + 4 * RECORDING_SAMPLE_RATE)));
  const source = { preSkip: stream.preSkip, inputRate: RECORDING_SAMPLE_RATE, packets };
  stream.close();
  return source;
}

before(async () => {
  const source = await replaySource();
  files.set("/replay.opus", muxOggOpus(source, { serial: 11, playable: 12 * 48_000 }));
  const clip = cutOggOpus(source, 4_000, 8_000, 12)!;
  files.set("/clip.opus", clip);
  clipPreSkipS = demuxOggOpus(clip)!.preSkip / 48_000;
  server = createServer((req, res) => {
    const body = files.get(req.url ?? "");
    if (!body) {
      res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>player</title>");
      return;
    }
    const range = parseRange(req.headers.range, body.length);
    const headers = { "content-type": RECORDING_CONTENT_TYPE, "accept-ranges": "bytes" };
    if (range === "unsatisfiable") res.writeHead(416, { ...headers, "content-range": `bytes */${body.length}` }).end();
    else if (range === "whole") res.writeHead(200, { ...headers, "content-length": String(body.length) }).end(body);
    else {
      const end = range.offset + range.length - 1;
      res.writeHead(206, { ...headers, "content-length": String(range.length), "content-range": `bytes ${range.offset}-${end}/${body.length}` });
      res.end(body.subarray(range.offset, end + 1));
    }
    statuses.push(res.statusCode);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** Loads `path` into an <audio> routed through an analyser; returns its duration once metadata is in. */
async function load(page: Page, path: string): Promise<number> {
  await page.goto(`${base}/`);
  return page.evaluate(async (src) => {
    const audio = new Audio();
    const context = new AudioContext();
    await context.resume();
    const analyser = context.createAnalyser();
    context.createMediaElementSource(audio).connect(analyser);
    analyser.connect(context.destination);
    const holder = window as unknown as { audio: HTMLAudioElement; analyser: AnalyserNode; loudest: number; heard: number; until: number };
    Object.assign(holder, { audio, analyser, loudest: 0, heard: 0, until: Infinity });
    const samples = new Float32Array(analyser.fftSize);
    // Every timeupdate inside the window keeps the loudest level heard (RMS of the analyser's last ~40 ms); past the
    // window's end (timeupdate comes every ~250 ms, so the playhead overshoots) nothing counts.
    audio.addEventListener("timeupdate", () => {
      if (audio.paused || audio.currentTime > holder.until) return;
      analyser.getFloatTimeDomainData(samples);
      holder.loudest = Math.max(holder.loudest, Math.sqrt(samples.reduce((n, v) => n + v * v, 0) / samples.length));
      holder.heard++;
    });
    const ready = new Promise((resolve, reject) => {
      audio.addEventListener("loadedmetadata", resolve, { once: true });
      audio.addEventListener("error", () => reject(new Error(`audio error ${audio.error?.code}: ${audio.error?.message}`)), { once: true });
    });
    audio.src = src;
    await ready;
    return audio.duration;
  }, `${base}${path}`);
}

/** Seeks to `at` s, plays until the playhead passes `until` s; the loudest level heard in [at, until − 0.1 s] and
 *  how many times it was sampled there. */
function playFrom(page: Page, at: number, until: number): Promise<{ loudest: number; heard: number; currentTime: number }> {
  return page.evaluate(
    async ([from, to]) => {
      const holder = window as unknown as { audio: HTMLAudioElement; loudest: number; heard: number; until: number };
      const { audio } = holder;
      audio.pause();
      const seeked = new Promise((resolve) => audio.addEventListener("seeked", resolve, { once: true }));
      audio.currentTime = from!;
      await seeked;
      Object.assign(holder, { loudest: 0, heard: 0, until: to! - 0.1 });
      const passed = new Promise<void>((resolve) => {
        const check = () => {
          if (audio.currentTime < to!) return;
          audio.removeEventListener("timeupdate", check);
          audio.pause();
          resolve();
        };
        audio.addEventListener("timeupdate", check);
      });
      await audio.play();
      await passed;
      return { loudest: holder.loudest, heard: holder.heard, currentTime: audio.currentTime };
    },
    [at, until],
  );
}

test("Chromium plays the replay, seeks into it with Range requests, and hears the tone only where it was recorded", async () => {
  const page = await browser.newPage();
  const duration = await load(page, "/replay.opus");
  assert.ok(Math.abs(duration - 12) <= 0.05, `replay duration ${duration}`);
  const tone = await playFrom(page, 8, 9);
  assert.ok(tone.loudest > 0.1, `level after seeking into the tone: ${tone.loudest}`);
  const silence = await playFrom(page, 1, 2);
  assert.ok(silence.heard >= 2 && silence.loudest < 0.02, `level after seeking into the silence: ${JSON.stringify(silence)}`);
  assert.ok(statuses.includes(206), `the player asked for ranges: ${statuses.join(",")}`);
  await page.close();
});

test("Chromium plays a clip: its length, silence before the tone's start at 1 s, the tone after", async () => {
  const page = await browser.newPage();
  const duration = await load(page, "/clip.opus");
  // Chromium's duration is the last granule position, so it counts the clip's pre-skip (its 80 ms pre-roll): up to
  // about 0.1 s over. Playback itself drops the pre-skip, which the tone's place below shows.
  assert.ok(duration >= 4 - 0.02 && duration <= 4 + clipPreSkipS + 0.02, `clip duration ${duration}, pre-skip ${clipPreSkipS} s`);
  const before = await playFrom(page, 0, 0.9);
  assert.ok(before.heard >= 2 && before.loudest < 0.02, `level before the tone: ${JSON.stringify(before)}`);
  const tone = await playFrom(page, 2, 3);
  assert.ok(tone.loudest > 0.1, `level in the tone: ${tone.loudest}`);
  await page.close();
});
