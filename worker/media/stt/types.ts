// The speech-to-text seam: one interface, spoken as Deepgram live streaming (what Workers AI `@cf/deepgram/nova-3`
// answers over a WebSocket); implemented by Workers AI in production and a local WebSocket stand-in in dev and tests.

/** One Deepgram `Results` message, reduced to what captions need; times in seconds from the stream's start. */
export type SttResult = { transcript: string; isFinal: boolean; speechFinal: boolean; startS: number; durationS: number };

export type SttEvents = {
  onResult(result: SttResult): void;
  /** The recogniser's socket closed or failed; the owner opens a new one when audio comes again. */
  onClose(reason: string): void;
};

/** An open recogniser stream for one track. Methods never throw; after close they do nothing. */
export interface SttConnection {
  /** Binary linear16 audio: s16le, mono, 16 kHz. */
  sendAudio(pcm: Uint8Array): void;
  /** Keeps the stream open through silence (Deepgram closes after about 10 s without audio or KeepAlive). */
  keepAlive(): void;
  /** Flushes what the recogniser holds into final results. */
  finalize(): void;
  close(): void;
  readonly isOpen: boolean;
}

export interface SttProvider {
  readonly name: "workers-ai" | "local";
  /** Opens a stream, or null when the recogniser refused or is unreachable (the failure is logged). */
  connect(events: SttEvents): Promise<SttConnection | null>;
}
