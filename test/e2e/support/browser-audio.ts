// Page-side WebRTC + WebAudio helpers for e2e tests: publish the fake mic, answer SFU offers, and
// measure which tones the page hears. `defineBrowserAudio` runs inside the page and must stay self-contained.
import type { Page } from "playwright-core";

export type ToneLevels = { levelsDb: Record<string, number>; floorDb: number; dominantHz: number };

export type BrowserAudioApi = {
  /** Adds a sendonly transceiver with the fake microphone; returns the offer to publish and its mid. */
  publishMic(): Promise<{ sdp: string; mid: string }>;
  applyAnswer(sdp: string): Promise<void>;
  /** Applies an offer from the SFU (a pull or a close) and returns the page's answer. */
  answerOffer(sdp: string): Promise<string>;
  /** Marks a transceiver inactive and returns the offer to send with tracks/close. */
  offerWithInactive(mid: string): Promise<string>;
  waitConnected(timeoutMs: number): Promise<void>;
  /** Levels of the given frequencies in everything received (or in one received mid). */
  levels(frequencies: number[], mid?: string): ToneLevels;
  /** Resolves with Date.now() when the tone becomes present (or absent), or null on timeout. */
  waitForTone(frequency: number, want: "present" | "absent", timeoutMs: number, mid?: string): Promise<number | null>;
  /** Fraction of samples over `ms` in which the tone was present. */
  presenceOver(frequency: number, ms: number, mid?: string): Promise<number>;
};

/** Runs in the page: installs `window.browserAudio`. */
export function defineBrowserAudio(): void {
  // A tone is present when it is loud enough and a narrow peak: a click or packet-loss glitch is
  // broadband and lifts the neighbouring frequencies with it, so it does not count.
  const MIN_TONE_DB = -70;
  const NEIGHBOUR_HZ = 60;
  const MIN_ABOVE_NEIGHBOURS_DB = 20;
  let pc: RTCPeerConnection | undefined;
  let mic: MediaStream | undefined;
  let context: AudioContext | undefined;
  let mix: AnalyserNode | undefined;
  const analysers = new Map<string, AnalyserNode>();

  const newAnalyser = (audio: AudioContext) => {
    const analyser = audio.createAnalyser();
    analyser.fftSize = 8192;
    analyser.smoothingTimeConstant = 0;
    return analyser;
  };
  const audioGraph = () => {
    context ??= new AudioContext();
    mix ??= newAnalyser(context);
    void context.resume();
    return { audio: context, mixer: mix };
  };
  const connection = () => {
    if (pc) return pc;
    pc = new RTCPeerConnection({ bundlePolicy: "max-bundle" });
    pc.ontrack = (event) => {
      const { audio, mixer } = audioGraph();
      const stream = new MediaStream([event.track]);
      // Chromium only feeds remote WebRTC audio into WebAudio while an <audio> element plays it.
      const element = document.createElement("audio");
      element.muted = true;
      element.srcObject = stream;
      document.body.appendChild(element);
      void element.play().catch(() => undefined);
      const source = audio.createMediaStreamSource(stream);
      const analyser = newAnalyser(audio);
      source.connect(analyser);
      source.connect(mixer);
      analysers.set(event.transceiver.mid ?? `track-${analysers.size}`, analyser);
    };
    return pc;
  };
  const levels = (frequencies: number[], mid?: string): ToneLevels => {
    const analyser = mid === undefined ? audioGraph().mixer : analysers.get(mid);
    if (!analyser) throw new Error(`no received track with mid ${mid}`);
    const bins = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(bins);
    const binHz = analyser.context.sampleRate / analyser.fftSize;
    const sorted = Array.from(bins).filter(Number.isFinite).sort((a, b) => a - b);
    const floorDb = sorted[Math.floor(sorted.length / 2)] ?? -Infinity;
    let dominant = 0;
    for (let i = 1; i < bins.length; i++) if ((bins[i] ?? -Infinity) > (bins[dominant] ?? -Infinity)) dominant = i;
    const levelsDb: Record<string, number> = {};
    for (const frequency of frequencies) {
      const center = Math.round(frequency / binHz);
      let peak = -Infinity;
      for (let i = center - 2; i <= center + 2; i++) peak = Math.max(peak, bins[i] ?? -Infinity);
      levelsDb[frequency] = peak;
    }
    return { levelsDb, floorDb, dominantHz: Math.round(dominant * binHz) };
  };
  const isPresent = (frequency: number, mid?: string) => {
    if (mid !== undefined && !analysers.has(mid)) return false;
    const { levelsDb } = levels([frequency - NEIGHBOUR_HZ, frequency, frequency + NEIGHBOUR_HZ], mid);
    const level = levelsDb[frequency] ?? -Infinity;
    const neighbours = Math.max(levelsDb[frequency - NEIGHBOUR_HZ] ?? -Infinity, levelsDb[frequency + NEIGHBOUR_HZ] ?? -Infinity);
    return level > MIN_TONE_DB && level - neighbours > MIN_ABOVE_NEIGHBOURS_DB;
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const api: BrowserAudioApi = {
    async publishMic() {
      mic ??= await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      });
      const [track] = mic.getAudioTracks();
      if (!track) throw new Error("the fake microphone has no audio track");
      const peer = connection();
      const transceiver = peer.addTransceiver(track, { direction: "sendonly" });
      await peer.setLocalDescription(await peer.createOffer());
      return { sdp: peer.localDescription?.sdp ?? "", mid: transceiver.mid ?? "" };
    },
    async applyAnswer(sdp) {
      await connection().setRemoteDescription({ type: "answer", sdp });
    },
    async answerOffer(sdp) {
      const peer = connection();
      await peer.setRemoteDescription({ type: "offer", sdp });
      await peer.setLocalDescription(await peer.createAnswer());
      return peer.localDescription?.sdp ?? "";
    },
    async offerWithInactive(mid) {
      const peer = connection();
      const transceiver = peer.getTransceivers().find((candidate) => candidate.mid === mid);
      if (!transceiver) throw new Error(`no transceiver with mid ${mid}`);
      transceiver.direction = "inactive";
      await peer.setLocalDescription(await peer.createOffer());
      return peer.localDescription?.sdp ?? "";
    },
    async waitConnected(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (connection().connectionState !== "connected") {
        if (connection().connectionState === "failed" || Date.now() > deadline) {
          throw new Error(`connection state ${connection().connectionState} after ${timeoutMs} ms`);
        }
        await sleep(10);
      }
    },
    levels,
    async waitForTone(frequency, want, timeoutMs, mid) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() <= deadline) {
        if (isPresent(frequency, mid) === (want === "present")) return Date.now();
        await sleep(5);
      }
      return null;
    },
    async presenceOver(frequency, ms, mid) {
      let present = 0;
      let samples = 0;
      for (const end = Date.now() + ms; Date.now() < end; samples++) {
        if (isPresent(frequency, mid)) present++;
        await sleep(20);
      }
      return samples === 0 ? 0 : present / samples;
    },
  };
  (window as unknown as { browserAudio: BrowserAudioApi }).browserAudio = api;
}

/** Installs the helpers in `page` and returns a typed Node-side handle to them. */
export async function browserAudio(page: Page) {
  await page.evaluate(defineBrowserAudio);
  type Method = keyof BrowserAudioApi;
  const call = <M extends Method>(method: M, ...args: Parameters<BrowserAudioApi[M]>) =>
    page.evaluate(
      ([name, params]) => {
        const helpers = (window as unknown as { browserAudio: Record<string, (...values: unknown[]) => unknown> }).browserAudio;
        return helpers[name as string]?.(...(params as unknown[]));
      },
      [method, args] as const,
    ) as Promise<Awaited<ReturnType<BrowserAudioApi[M]>>>;
  return {
    publishMic: () => call("publishMic"),
    applyAnswer: (sdp: string) => call("applyAnswer", sdp),
    answerOffer: (sdp: string) => call("answerOffer", sdp),
    offerWithInactive: (mid: string) => call("offerWithInactive", mid),
    waitConnected: (timeoutMs = 10_000) => call("waitConnected", timeoutMs),
    levels: (frequencies: number[], mid?: string) => call("levels", frequencies, mid),
    waitForTone: (frequency: number, want: "present" | "absent", timeoutMs: number, mid?: string) =>
      call("waitForTone", frequency, want, timeoutMs, mid),
    presenceOver: (frequency: number, ms: number, mid?: string) => call("presenceOver", frequency, ms, mid),
  };
}

export type BrowserAudio = Awaited<ReturnType<typeof browserAudio>>;
