// The speech-to-text sink of a track: 48 kHz stereo → 16 kHz mono s16le in ~100 ms chunks to the recogniser, and its
// results back as captions with times in the Space (the recogniser counts from its stream's start; anchors map back).
import { Downsampler48To16, downmixStereoS16le, s16leBytes, STT_SAMPLE_RATE } from "./pcm.ts";
import type { PcmSink } from "./track-pipeline.ts";
import type { SttConnection, SttProvider, SttResult } from "./stt/types.ts";

export type Caption = { speakerId: string; handle: string; text: string; final: boolean; startMs: number; endMs: number };

const CHUNK_SAMPLES = STT_SAMPLE_RATE / 10;
/** Audio kept while the recogniser connects: 10 s, beyond that the oldest is dropped. */
const MAX_BACKLOG_BYTES = 10 * STT_SAMPLE_RATE * 2;
const RECONNECT_AFTER_MS = 5_000;
export const KEEPALIVE_AFTER_MS = 4_000;

type Chunk = { bytes: Uint8Array; spaceMs: number };
type Anchor = { audioMs: number; spaceMs: number };

export class SttSink implements PcmSink {
  private readonly downsampler = new Downsampler48To16();
  private pending: Int16Array[] = [];
  private pendingSamples = 0;
  private pendingStartMs = 0;
  private backlog: Chunk[] = [];
  private backlogBytes = 0;
  private connection: SttConnection | null = null;
  private connecting = false;
  private lastConnectAttempt = -Infinity;
  /** Per connection: audio sent on it (ms) and where in the Space each stretch of it began. */
  private sentMs = 0;
  private anchors: Anchor[] = [];
  lastSentAt = 0;
  bytesSent = 0;

  private readonly provider: SttProvider;
  private readonly speaker: { userId: string; handle: string };
  private readonly onCaption: (caption: Caption) => void;
  private readonly now: () => number;

  constructor(provider: SttProvider, speaker: { userId: string; handle: string }, onCaption: (caption: Caption) => void, now: () => number = Date.now) {
    this.provider = provider;
    this.speaker = speaker;
    this.onCaption = onCaption;
    this.now = now;
  }

  write(payload: Uint8Array, atMs: number): void {
    if (this.pendingSamples === 0) this.pendingStartMs = atMs;
    const samples = this.downsampler.process(downmixStereoS16le(payload));
    this.pending.push(samples);
    this.pendingSamples += samples.length;
    if (this.pendingSamples >= CHUNK_SAMPLES) this.flushPending();
  }

  discontinuity(): void {
    this.flushPending();
    this.downsampler.reset();
  }

  close(): void {
    this.flushPending();
    this.drain();
    // Finalize flushes the recogniser's last words as finals; CloseStream then ends the stream after them.
    this.connection?.finalize();
    this.connection?.close();
    this.connection = null;
  }

  /** Called by the owner's alarm: silence (a long skipped gap) must not let the recogniser time out. */
  keepAliveIfIdle(): void {
    if (this.connection?.isOpen && this.now() - this.lastSentAt >= KEEPALIVE_AFTER_MS) {
      this.connection.keepAlive();
      this.lastSentAt = this.now();
    }
  }

  get isOpen(): boolean {
    return this.connection?.isOpen === true;
  }

  private flushPending(): void {
    if (this.pendingSamples === 0) return;
    const joined = new Int16Array(this.pendingSamples);
    let offset = 0;
    for (const part of this.pending) {
      joined.set(part, offset);
      offset += part.length;
    }
    this.pending = [];
    this.pendingSamples = 0;
    this.backlog.push({ bytes: s16leBytes(joined), spaceMs: this.pendingStartMs });
    this.backlogBytes += joined.length * 2;
    while (this.backlogBytes > MAX_BACKLOG_BYTES && this.backlog.length > 1) this.backlogBytes -= this.backlog.shift()!.bytes.byteLength;
    this.drain();
  }

  private drain(): void {
    const connection = this.connection;
    if (!connection?.isOpen) return this.connect();
    for (const chunk of this.backlog) {
      const expected = this.toSpaceMs(this.sentMs / 1000);
      if (this.anchors.length === 0 || Math.abs(chunk.spaceMs - expected) > 1) this.anchors.push({ audioMs: this.sentMs, spaceMs: chunk.spaceMs });
      connection.sendAudio(chunk.bytes);
      this.sentMs += (chunk.bytes.byteLength / 2 / STT_SAMPLE_RATE) * 1000;
      this.bytesSent += chunk.bytes.byteLength;
    }
    if (this.backlog.length > 0) this.lastSentAt = this.now();
    this.backlog = [];
    this.backlogBytes = 0;
  }

  private connect(): void {
    if (this.connecting || this.now() - this.lastConnectAttempt < RECONNECT_AFTER_MS) return;
    this.connecting = true;
    this.lastConnectAttempt = this.now();
    // A new stream counts from zero: it gets its own anchors, which its result handler keeps.
    this.sentMs = 0;
    const anchors: Anchor[] = [];
    this.anchors = anchors;
    let opened: SttConnection | null = null;
    void this.provider
      .connect({
        onResult: (result) => this.handleResult(result, anchors),
        onClose: () => {
          if (this.connection === opened) this.connection = null;
        },
      })
      .then((connection) => {
        opened = connection;
        this.connection = connection;
        this.connecting = false;
        if (connection) this.drain();
      });
  }

  private handleResult(result: SttResult, anchors: Anchor[]): void {
    if (result.transcript === "") return;
    this.onCaption({
      speakerId: this.speaker.userId,
      handle: this.speaker.handle,
      text: result.transcript,
      final: result.isFinal,
      startMs: Math.round(mapToSpace(anchors, result.startS)),
      endMs: Math.round(mapToSpace(anchors, result.startS + result.durationS)),
    });
  }

  private toSpaceMs(audioS: number): number {
    return mapToSpace(this.anchors, audioS);
  }
}

/** Space time of a point in a recogniser stream: from the last anchor at or before it. */
export function mapToSpace(anchors: Anchor[], audioS: number): number {
  const audioMs = audioS * 1000;
  let anchor = anchors[0];
  for (const candidate of anchors) if (candidate.audioMs <= audioMs) anchor = candidate;
  return anchor ? anchor.spaceMs + (audioMs - anchor.audioMs) : audioMs;
}
