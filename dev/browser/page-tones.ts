// Measures which tones a real app page receives: analyses the MediaStreams of the room's <audio> elements
// (data-testid="remote-audio", data-user-id) with WebAudio. `defineTonesProbe` runs inside the page, self-contained.
import type { Page } from "playwright-core";

type ProbeApi = {
  /** Resolves with Date.now() in the page when the tone is present (or absent) in the chosen audio, or null on timeout. */
  waitForTone(frequency: number, want: "present" | "absent", timeoutMs: number, userId: string | null): Promise<number | null>;
  /** Fraction of 20 ms samples over `ms` in which the tone was present. */
  presenceOver(frequency: number, ms: number, userId: string | null): Promise<number>;
};

export function defineTonesProbe(): void {
  const MIN_TONE_DB = -70;
  const NEIGHBOUR_HZ = 60;
  const MIN_ABOVE_NEIGHBOURS_DB = 20;
  let context: AudioContext | undefined;
  const analysers = new WeakMap<MediaStream, AnalyserNode>();

  const analyserOf = (stream: MediaStream) => {
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
  };
  const streams = (userId: string | null) =>
    [...document.querySelectorAll<HTMLAudioElement>('audio[data-testid="remote-audio"]')]
      .filter((element) => userId === null || element.dataset.userId === userId)
      .map((element) => element.srcObject)
      .filter((stream): stream is MediaStream => stream instanceof MediaStream);
  const levelAt = (analyser: AnalyserNode, bins: Float32Array, frequency: number) => {
    const center = Math.round(frequency / (analyser.context.sampleRate / analyser.fftSize));
    let peak = -Infinity;
    for (let i = center - 2; i <= center + 2; i++) peak = Math.max(peak, bins[i] ?? -Infinity);
    return peak;
  };
  const isPresent = (frequency: number, userId: string | null) =>
    streams(userId).some((stream) => {
      const analyser = analyserOf(stream);
      const bins = new Float32Array(analyser.frequencyBinCount);
      analyser.getFloatFrequencyData(bins);
      const level = levelAt(analyser, bins, frequency);
      const neighbours = Math.max(levelAt(analyser, bins, frequency - NEIGHBOUR_HZ), levelAt(analyser, bins, frequency + NEIGHBOUR_HZ));
      return level > MIN_TONE_DB && level - neighbours > MIN_ABOVE_NEIGHBOURS_DB;
    });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const api: ProbeApi = {
    async waitForTone(frequency, want, timeoutMs, userId) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() <= deadline) {
        if (isPresent(frequency, userId) === (want === "present")) return Date.now();
        await sleep(5);
      }
      return null;
    },
    async presenceOver(frequency, ms, userId) {
      let present = 0;
      let samples = 0;
      for (const end = Date.now() + ms; Date.now() < end; samples++) {
        if (isPresent(frequency, userId)) present++;
        await sleep(20);
      }
      return samples === 0 ? 0 : present / samples;
    },
  };
  (window as unknown as { tonesProbe: ProbeApi }).tonesProbe = api;
}

/** Installs the probe in `page` (call again after a navigation) and returns a typed handle. */
export async function tonesProbe(page: Page) {
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
