// Page-side probes of the captions bench (each function runs inside Chromium, so each stays self-contained):
// on the speaker's page, when the fake mic's speech starts and stops (an analyser on the stream the app captured);
// on the listener's page, when each final caption frame's text is on screen.

/** `window.micSpeech` on the speaker's page: speech onsets and ends seen on the captured mic, epoch ms. */
export type MicSpeech = { onsets: number[]; ends: number[] };
/** `window.finalCaptions` on the listener's page: each final caption, its span in the Space and when it showed, epoch ms. */
export type ShownFinal = { text: string; startMs: number; endMs: number; shownAt: number };

/**
 * Init script for the speaker's page: wraps getUserMedia so the stream the app publishes also feeds an analyser.
 * A 341 ms window is read every 20 ms; the first loud sample after 1.5 s of silence is an onset, timed by its place
 * in the window (so a late timer does not move it), and the last loud sample before 1.5 s of silence is an end.
 */
export function watchMicSpeech(threshold: number): void {
  const state = window as unknown as { micSpeech?: MicSpeech };
  const devices = navigator.mediaDevices;
  if (!devices || state.micSpeech) return;
  const speech: MicSpeech = { onsets: [], ends: [] };
  state.micSpeech = speech;
  const QUIET_MS = 1500;
  const original = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints?: MediaStreamConstraints) => {
    const stream = await original(constraints);
    if (!constraints?.audio || stream.getAudioTracks().length === 0) return stream;
    const context = new AudioContext();
    void context.resume();
    const analyser = context.createAnalyser();
    analyser.fftSize = 16384;
    context.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let speaking = false;
    let lastLoudAt = -Infinity;
    setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      const now = Date.now();
      const msPerSample = 1000 / context.sampleRate;
      let first = -1;
      let last = -1;
      for (let i = 0; i < samples.length; i++) {
        if (Math.abs(samples[i]!) > threshold) {
          if (first < 0) first = i;
          last = i;
        }
      }
      if (last >= 0) {
        if (!speaking && now - lastLoudAt > QUIET_MS) {
          speaking = true;
          speech.onsets.push(now - (samples.length - 1 - first) * msPerSample);
        }
        lastLoudAt = now - (samples.length - 1 - last) * msPerSample;
      } else if (speaking && now - lastLoudAt > QUIET_MS) {
        speaking = false;
        speech.ends.push(lastLoudAt);
      }
    }, 20);
    return stream;
  };
}

/**
 * Init script for the listener's page: every final `caption` frame the room socket brings, with the time of the first
 * animation frame at which its text is in the captions area (painted on the next frame), and its Space-time span.
 */
export function watchFinalCaptions(): void {
  const state = window as unknown as { finalCaptions?: ShownFinal[] };
  if (state.finalCaptions) return;
  const shown: ShownFinal[] = [];
  state.finalCaptions = shown;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener("message", (event: MessageEvent) => {
        if (typeof event.data !== "string" || !event.data.includes('"caption"')) return;
        const frame = JSON.parse(event.data) as { type?: string; final?: boolean; text?: string; startMs?: number; endMs?: number };
        const text = frame.text?.trim() ?? "";
        if (frame.type !== "caption" || !frame.final || !text) return;
        let frames = 0;
        const check = () => {
          const lines = document.querySelectorAll('[data-testid="captions-area"] [data-final="true"]');
          if ([...lines].some((line) => line.textContent?.includes(text))) {
            shown.push({ text, startMs: frame.startMs ?? 0, endMs: frame.endMs ?? 0, shownAt: Date.now() });
          } else if (++frames < 600) requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      });
    }
  };
}
