// Who is speaking right now, from each audio stream's level (AnalyserNode RMS), as a rune store the stage reads:
// `speaking` holds the userIds currently above the speech threshold (with a short hold so it doesn't flicker).
import { SvelteSet } from "svelte/reactivity";

export const speaking = new SvelteSet<string>();

/** RMS of full-scale samples; about -36 dBFS, above room noise, below normal speech. */
const SPEECH_RMS = 0.016;
const HOLD_MS = 400;
const POLL_MS = 100;

type Watched = { source: MediaStreamAudioSourceNode; analyser: AnalyserNode; lastLoudAt: number };

/** One AudioContext for all meters; it only analyses (nothing is routed to the speakers through it). */
export class SpeakingMeter {
  private context: AudioContext | null = null;
  private readonly watched = new Map<string, Watched>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly samples = new Float32Array(1024);

  /** Starts metering `userId`'s stream (replacing an earlier one). */
  watch(userId: string, stream: MediaStream): void {
    this.unwatch(userId);
    const context = (this.context ??= new AudioContext());
    void context.resume().catch(() => undefined);
    const source = context.createMediaStreamSource(stream);
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    source.connect(analyser);
    this.watched.set(userId, { source, analyser, lastLoudAt: 0 });
    this.timer ??= setInterval(() => this.poll(), POLL_MS);
  }

  unwatch(userId: string): void {
    const entry = this.watched.get(userId);
    if (!entry) return;
    entry.source.disconnect();
    this.watched.delete(userId);
    speaking.delete(userId);
    if (this.watched.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Browsers start an AudioContext suspended until a user gesture; true once it runs. */
  async resume(): Promise<boolean> {
    if (!this.context) return true;
    await this.context.resume().catch(() => undefined);
    return this.context.state === "running";
  }

  get suspended(): boolean {
    return this.context?.state === "suspended";
  }

  stop(): void {
    for (const userId of [...this.watched.keys()]) this.unwatch(userId);
    void this.context?.close().catch(() => undefined);
    this.context = null;
  }

  private poll(): void {
    const now = Date.now();
    for (const [userId, entry] of this.watched) {
      entry.analyser.getFloatTimeDomainData(this.samples);
      let sum = 0;
      for (const sample of this.samples) sum += sample * sample;
      if (Math.sqrt(sum / this.samples.length) >= SPEECH_RMS) entry.lastLoudAt = now;
      const isSpeaking = now - entry.lastLoudAt <= HOLD_MS;
      if (isSpeaking && !speaking.has(userId)) speaking.add(userId);
      else if (!isSpeaking && speaking.has(userId)) speaking.delete(userId);
    }
  }
}
