// Page-side WebRTC helpers for e2e tests: publish the fake mic, answer SFU offers, and measure which tones each
// received track carries with the one tone detector. `defineBrowserAudio` runs inside the page, self-contained.
import type { Page } from "playwright-core";
import { defineToneDetector, type ToneDetector, type ToneLevels } from "../../../dev/browser/page-tones.ts";

export type BrowserAudioApi = {
  /** Adds a sendonly transceiver with the fake microphone; returns the offer to publish and its mid. */
  publishMic(): Promise<{ sdp: string; mid: string }>;
  applyAnswer(sdp: string): Promise<void>;
  /** Applies an offer from the SFU (a pull or a close) and returns the page's answer. */
  answerOffer(sdp: string): Promise<string>;
  /** Marks a transceiver inactive and returns the offer to send with tracks/close. */
  offerWithInactive(mid: string): Promise<string>;
  waitConnected(timeoutMs: number): Promise<void>;
  /** Levels of the given frequencies in one received track. */
  levels(frequencies: number[], mid: string): ToneLevels;
  /** Date.now() when the tone becomes present (or absent) in any received track (or one mid), or null on timeout. */
  waitForTone(frequency: number, want: "present" | "absent", timeoutMs: number, mid?: string): Promise<number | null>;
  /** Fraction of samples over `ms` in which the tone was present. */
  presenceOver(frequency: number, ms: number, mid?: string): Promise<number>;
};

/** Runs in the page after `defineToneDetector`: installs `window.browserAudio`. */
export function defineBrowserAudio(): void {
  const detector = (window as unknown as { toneDetector: ToneDetector }).toneDetector;
  let pc: RTCPeerConnection | undefined;
  let mic: MediaStream | undefined;
  /** An analyser per received track, by its transceiver's mid. */
  const analysers = new Map<string, AnalyserNode>();

  const connection = () => {
    if (pc) return pc;
    pc = new RTCPeerConnection({ bundlePolicy: "max-bundle" });
    pc.ontrack = (event) => {
      const stream = new MediaStream([event.track]);
      // Chromium only feeds remote WebRTC audio into WebAudio while an <audio> element plays it.
      const element = document.createElement("audio");
      element.muted = true;
      element.srcObject = stream;
      document.body.appendChild(element);
      void element.play().catch(() => undefined);
      analysers.set(event.transceiver.mid ?? `track-${analysers.size}`, detector.analyserOf(stream));
    };
    return pc;
  };
  const analyserOf = (mid: string) => {
    const analyser = analysers.get(mid);
    if (!analyser) throw new Error(`no received track with mid ${mid}`);
    return analyser;
  };
  /** In one received track, or (without a mid) in any of them. */
  const present = (frequency: number, mid?: string) => () =>
    mid === undefined
      ? [...analysers.values()].some((analyser) => detector.isPresent(analyser, frequency))
      : analysers.has(mid) && detector.isPresent(analyserOf(mid), frequency);

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
    waitConnected(timeoutMs) {
      const peer = connection();
      return new Promise<void>((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          peer.removeEventListener("connectionstatechange", check);
          if (peer.connectionState === "connected") resolve();
          else reject(new Error(`connection state ${peer.connectionState} after ${timeoutMs} ms`));
        };
        const check = () => {
          if (peer.connectionState === "connected" || peer.connectionState === "failed") done();
        };
        const timer = setTimeout(done, timeoutMs);
        peer.addEventListener("connectionstatechange", check);
        check();
      });
    },
    levels: (frequencies, mid) => detector.levels(analyserOf(mid), frequencies),
    waitForTone: (frequency, want, timeoutMs, mid) => detector.waitFor(present(frequency, mid), want === "present", timeoutMs),
    presenceOver: (frequency, ms, mid) => detector.presenceOver(present(frequency, mid), ms),
  };
  (window as unknown as { browserAudio: BrowserAudioApi }).browserAudio = api;
}

/** Installs the helpers in `page` and returns a typed Node-side handle to them. */
export async function browserAudio(page: Page) {
  await page.evaluate(defineToneDetector);
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
    levels: (frequencies: number[], mid: string) => call("levels", frequencies, mid),
    waitForTone: (frequency: number, want: "present" | "absent", timeoutMs: number, mid?: string) =>
      call("waitForTone", frequency, want, timeoutMs, mid),
    presenceOver: (frequency: number, ms: number, mid?: string) => call("presenceOver", frequency, ms, mid),
  };
}

export type BrowserAudio = Awaited<ReturnType<typeof browserAudio>>;
