// The host page's own microphone as the clock of what was said when: an init script wraps getUserMedia and, on the
// first audio stream the app opens, notes the wall-clock time (Date.now()) of every onset of a tone that then lasts
// at least 500 ms. A recording test places those onsets on the Space's timeline and looks for them in the replay.
import type { Page } from "playwright-core";

type WatchWindow = { micToneOnsets: number[]; micToneWatching?: boolean };

/** Runs in the page before the app (no imports: serialized by Playwright). */
function installMicToneWatch(toneHz: number): void {
  const page = window as unknown as WatchWindow;
  page.micToneOnsets = [];
  const devices = navigator.mediaDevices;
  if (!devices?.getUserMedia) return;
  const original = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints?: MediaStreamConstraints) => {
    const stream = await original(constraints);
    if (stream.getAudioTracks().length > 0 && !page.micToneWatching) {
      page.micToneWatching = true;
      watch(stream);
    }
    return stream;
  };

  function watch(stream: MediaStream): void {
    const context = new AudioContext();
    void context.resume();
    const analyser = context.createAnalyser();
    // A short window (about 43 ms) keeps the onset sharp; no smoothing between reads.
    analyser.fftSize = 2048;
    analyser.smoothingTimeConstant = 0;
    context.createMediaStreamSource(stream).connect(analyser);
    const bins = new Float32Array(analyser.frequencyBinCount);
    const binHz = context.sampleRate / analyser.fftSize;
    const level = (hz: number) => {
      const centre = Math.round(hz / binHz);
      let peak = -Infinity;
      for (let i = centre - 1; i <= centre + 1; i++) peak = Math.max(peak, bins[i] ?? -Infinity);
      return peak;
    };
    let lastAbsentAt = Date.now();
    let lastPresentAt = 0;
    let runStart: number | null = null;
    let counted = false;
    // An analyser has no "spectrum changed" event: it is read every few milliseconds.
    const read = () => {
      analyser.getFloatFrequencyData(bins);
      const now = Date.now();
      const tone = level(toneHz);
      const present = tone > -60 && tone - Math.max(level(toneHz - 120), level(toneHz + 120)) > 20;
      if (present) {
        // The onset lies between the last read without the tone and this one.
        runStart ??= (lastAbsentAt + now) / 2;
        lastPresentAt = now;
        if (!counted && now - runStart >= 500) {
          page.micToneOnsets.push(Math.round(runStart));
          counted = true;
        }
      } else {
        lastAbsentAt = now;
        // A flicker inside the tone does not end it; 150 ms without it does.
        if (now - lastPresentAt > 150) {
          runStart = null;
          counted = false;
        }
      }
      setTimeout(read, 5);
    };
    read();
  }
}

/** Installs the watch for every document the page opens from now on; returns a reader of the onsets so far. */
export async function watchMicTone(page: Page, toneHz: number): Promise<() => Promise<number[]>> {
  await page.addInitScript(installMicToneWatch, toneHz);
  return () => page.evaluate(() => [...((window as unknown as Partial<WatchWindow>).micToneOnsets ?? [])]);
}
