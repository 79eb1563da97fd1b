// Driving the replay and clip pages' <audio> from tests and the bench: play and wait for sound, seek through the page
// (a transcript line, the position slider) and see where playback lands and when it sounds again. Each waits for a
// media event (seeked) or for currentTime to move on, never for a fixed time.
import type { Page } from "playwright-core";

type MediaWaitResult = { ok: boolean; currentMs: number };
type AdvanceWait = { selector: string; pastMs: number; timeoutMs: number };

/**
 * In the page: resolves once the audio plays past `pastMs`, or after `timeoutMs` (ok false). currentTime follows the
 * audio clock between timeupdate events (which come only every ~250 ms), so it is read every few milliseconds.
 */
function advancedPast({ selector, pastMs, timeoutMs }: AdvanceWait): Promise<MediaWaitResult> {
  const audio = document.querySelector<HTMLAudioElement>(selector);
  if (!audio) return Promise.resolve({ ok: false, currentMs: -1 });
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    const check = () => {
      const currentMs = audio.currentTime * 1000;
      if (!audio.paused && !audio.seeking && currentMs > pastMs) resolve({ ok: true, currentMs });
      else if (Date.now() > deadline) resolve({ ok: false, currentMs });
      else setTimeout(check, 2);
    };
    check();
  });
}

/** Clicks Play on the replay page and waits until the audio has played past its first 200 ms. */
export async function playReplay(page: Page, timeoutMs = 30_000): Promise<void> {
  await page.getByTestId("play").click();
  const result = await page.evaluate(advancedPast, { selector: '[data-testid="replay-audio"]', pastMs: 200, timeoutMs });
  if (!result.ok) throw new Error(`the replay did not play (at ${result.currentMs} ms)`);
}

/** Clicks the transcript line `index`; returns where the audio was when its seek completed (ms). */
export async function clickLineAndSeek(page: Page, index: number, timeoutMs = 30_000): Promise<number> {
  const seeked = page.evaluate((t) => {
    const audio = document.querySelector<HTMLAudioElement>('[data-testid="replay-audio"]')!;
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no seek completed")), t);
      audio.addEventListener("seeked", () => (clearTimeout(timer), resolve(audio.currentTime * 1000)), { once: true });
    });
  }, timeoutMs);
  await page.getByTestId("transcript-line").nth(index).click();
  return seeked;
}

/**
 * Moves the position slider to `toMs` while the replay plays and measures, in the page, from the slider's input
 * event to the first timeupdate past the new position: seek → first sound.
 */
export async function seekToFirstSoundMs(page: Page, toMs: number, timeoutMs = 30_000): Promise<number> {
  const measured = page.evaluate(([target, t]) => {
    const audio = document.querySelector<HTMLAudioElement>('[data-testid="replay-audio"]')!;
    const slider = document.querySelector<HTMLInputElement>('[data-testid="seek"]')!;
    return new Promise<number>((resolve, reject) => {
      let seekAt: number | null = null;
      const deadline = Date.now() + t;
      // Capture phase: the clock starts before the page's own handler sets currentTime.
      slider.addEventListener("input", () => (seekAt = performance.now()), { capture: true, once: true });
      // currentTime follows the audio clock between timeupdate events, so it is read every few milliseconds.
      const check = () => {
        if (seekAt !== null && !audio.paused && !audio.seeking && audio.currentTime * 1000 > target) resolve(performance.now() - seekAt);
        else if (Date.now() > deadline) reject(new Error(`no sound after seeking to ${target} ms`));
        else setTimeout(check, 2);
      };
      check();
    });
  }, [toMs, timeoutMs] as const);
  await page.getByTestId("seek").fill(String(toMs));
  return measured;
}

/** On /clips/:id: starts the clip's audio and waits until it has played past 100 ms. */
export async function playsOnClipPage(page: Page, timeoutMs = 30_000): Promise<void> {
  const audio = page.getByTestId("clip-audio");
  await audio.waitFor({ state: "attached" });
  await audio.evaluate((element: HTMLAudioElement) => element.play());
  const result = await page.evaluate(advancedPast, { selector: '[data-testid="clip-audio"]', pastMs: 100, timeoutMs });
  if (!result.ok) throw new Error(`the clip did not play (at ${result.currentMs} ms)`);
}
