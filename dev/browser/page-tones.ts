// The one tone detector for pages in Chromium (tests and bench): WebAudio analysers on received MediaStreams, and
// the probe over a real app page's <audio data-testid="remote-audio" data-user-id> elements.
// `defineToneDetector` and `defineTonesProbe` run inside the page, so each must stay self-contained.
import type { Page } from "playwright-core";

export type ToneLevels = { levelsDb: Record<string, number>; floorDb: number; dominantHz: number };

/** In the page as `window.toneDetector`. */
export type ToneDetector = {
  /** The analyser on a stream (one per stream, all in one AudioContext). */
  analyserOf(stream: MediaStream): AnalyserNode;
  levels(analyser: AnalyserNode, frequencies: number[]): ToneLevels;
  isPresent(analyser: AnalyserNode, frequency: number): boolean;
  /** Samples `present()` every 5 ms; Date.now() in the page once it equals `want`, or null after `timeoutMs`. */
  waitFor(present: () => boolean, want: boolean, timeoutMs: number): Promise<number | null>;
  /** Fraction of 20 ms samples over `ms` in which `present()` held. */
  presenceOver(present: () => boolean, ms: number): Promise<number>;
};

export function defineToneDetector(): void {
  const page = window as unknown as { toneDetector?: ToneDetector };
  if (page.toneDetector) return;
  // A tone is present when it is loud enough and a narrow peak: a click or packet-loss glitch is broadband and
  // lifts the neighbouring frequencies with it, so it does not count.
  const MIN_TONE_DB = -70;
  const NEIGHBOUR_HZ = 60;
  const MIN_ABOVE_NEIGHBOURS_DB = 20;
  let context: AudioContext | undefined;
  const analysers = new WeakMap<MediaStream, AnalyserNode>();
  // An analyser has no event for "the spectrum changed", so the detector samples it.
  const sample = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const levels = (analyser: AnalyserNode, frequencies: number[]): ToneLevels => {
    const bins = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(bins);
    const binHz = analyser.context.sampleRate / analyser.fftSize;
    const sorted = Array.from(bins).filter(Number.isFinite).sort((a, b) => a - b);
    let dominant = 0;
    for (let i = 1; i < bins.length; i++) if ((bins[i] ?? -Infinity) > (bins[dominant] ?? -Infinity)) dominant = i;
    const levelsDb: Record<string, number> = {};
    for (const frequency of frequencies) {
      const center = Math.round(frequency / binHz);
      let peak = -Infinity;
      for (let i = center - 2; i <= center + 2; i++) peak = Math.max(peak, bins[i] ?? -Infinity);
      levelsDb[frequency] = peak;
    }
    return { levelsDb, floorDb: sorted[Math.floor(sorted.length / 2)] ?? -Infinity, dominantHz: Math.round(dominant * binHz) };
  };

  page.toneDetector = {
    analyserOf(stream) {
      let analyser = analysers.get(stream);
      if (!analyser) {
        context ??= new AudioContext();
        void context.resume();
        analyser = context.createAnalyser();
        analyser.fftSize = 8192;
        analyser.smoothingTimeConstant = 0;
        context.createMediaStreamSource(stream).connect(analyser);
        analysers.set(stream, analyser);
      }
      return analyser;
    },
    levels,
    isPresent(analyser, frequency) {
      const { levelsDb } = levels(analyser, [frequency - NEIGHBOUR_HZ, frequency, frequency + NEIGHBOUR_HZ]);
      const level = levelsDb[frequency] ?? -Infinity;
      const neighbours = Math.max(levelsDb[frequency - NEIGHBOUR_HZ] ?? -Infinity, levelsDb[frequency + NEIGHBOUR_HZ] ?? -Infinity);
      return level > MIN_TONE_DB && level - neighbours > MIN_ABOVE_NEIGHBOURS_DB;
    },
    async waitFor(present, want, timeoutMs) {
      for (const deadline = Date.now() + timeoutMs; Date.now() <= deadline; await sample(5)) {
        if (present() === want) return Date.now();
      }
      return null;
    },
    async presenceOver(present, ms) {
      let hits = 0;
      let samples = 0;
      for (const end = Date.now() + ms; Date.now() < end; samples++, await sample(20)) if (present()) hits++;
      return samples === 0 ? 0 : hits / samples;
    },
  };
}

type ProbeApi = {
  /** Date.now() in the page when the tone is present (or absent) in the chosen audio, or null on timeout. */
  waitForTone(frequency: number, want: "present" | "absent", timeoutMs: number, userId: string | null): Promise<number | null>;
  /** Fraction of 20 ms samples over `ms` in which the tone was present. */
  presenceOver(frequency: number, ms: number, userId: string | null): Promise<number>;
};

/** In the page, after `defineToneDetector`: the probe over the room's <audio> elements, as `window.tonesProbe`. */
export function defineTonesProbe(): void {
  const detector = (window as unknown as { toneDetector: ToneDetector }).toneDetector;
  const present = (frequency: number, userId: string | null) => () =>
    [...document.querySelectorAll<HTMLAudioElement>('audio[data-testid="remote-audio"]')]
      .filter((element) => userId === null || element.dataset.userId === userId)
      .map((element) => element.srcObject)
      .filter((stream): stream is MediaStream => stream instanceof MediaStream)
      .some((stream) => detector.isPresent(detector.analyserOf(stream), frequency));
  const api: ProbeApi = {
    waitForTone: (frequency, want, timeoutMs, userId) => detector.waitFor(present(frequency, userId), want === "present", timeoutMs),
    presenceOver: (frequency, ms, userId) => detector.presenceOver(present(frequency, userId), ms),
  };
  (window as unknown as { tonesProbe: ProbeApi }).tonesProbe = api;
}

/** Installs the probe in `page` (call again after a navigation) and returns a typed handle. */
export async function tonesProbe(page: Page) {
  await page.evaluate(defineToneDetector);
  await page.evaluate(defineTonesProbe);
  return {
    waitForTone: (frequency: number, want: "present" | "absent", timeoutMs: number, userId: string | null = null) =>
      page.evaluate(
        ([f, w, t, u]) => (window as unknown as { tonesProbe: ProbeApi }).tonesProbe.waitForTone(f, w, t, u),
        [frequency, want, timeoutMs, userId] as const,
      ),
    presenceOver: (frequency: number, ms: number, userId: string | null = null) =>
      page.evaluate(
        ([f, m, u]) => (window as unknown as { tonesProbe: ProbeApi }).tonesProbe.presenceOver(f, m, u),
        [frequency, ms, userId] as const,
      ),
  };
}
