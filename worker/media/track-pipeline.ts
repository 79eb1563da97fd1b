// One stage track's audio on its way through the media object: adapter packets in (protobuf, 48 kHz stereo PCM),
// put in order with gaps handled, and handed to every sink with its time in the Space. Speech-to-text is one sink;
// a recorder is another. Pure (no I/O): the sinks do the sending.
import { decodeAdapterPacket } from "./adapter-packet.ts";
import { framesIn, framesToMs, PacketSequencer } from "./pcm.ts";

export interface PcmSink {
  /** 48 kHz interleaved stereo s16le frames (the adapter's own format) starting `atMs` after the Space started. */
  write(payload: Uint8Array, atMs: number): void;
  /** The next write does not follow on from the last one (a skipped gap or a new stream): restart filters and clocks. */
  discontinuity(atMs: number): void;
  /** The track's audio ended (adapter closed, speaker left the stage): flush what is buffered. */
  close(): void;
}

export type PipelineStats = { packets: number; bytes: number; filledPackets: number; skippedPackets: number; stale: number; malformed: number };

export type PushOutcome = "ok" | "malformed" | "stale";

export class TrackPipeline {
  private readonly sequencer = new PacketSequencer();
  private clockMs: number | null = null;
  private lastFrames = 0;
  readonly stats: PipelineStats = { packets: 0, bytes: 0, filledPackets: 0, skippedPackets: 0, stale: 0, malformed: 0 };

  private readonly sinks: PcmSink[];
  private readonly startAtMs: () => number;

  /** `startAtMs()` tells where in the Space a fresh stream begins (its wall-clock offset from the start). */
  constructor(sinks: PcmSink[], startAtMs: () => number) {
    this.sinks = sinks;
    this.startAtMs = startAtMs;
  }

  /** Where in the Space the next audio goes, or null before the first packet. */
  get clock(): number | null {
    return this.clockMs;
  }

  /** One binary adapter message. Never throws: a malformed packet is counted and dropped. */
  push(message: Uint8Array): PushOutcome {
    const packet = decodeAdapterPacket(message);
    if (!packet || packet.payload.byteLength % 4 !== 0) {
      this.stats.malformed++;
      return "malformed";
    }
    const step = this.sequencer.accept(packet.sequenceNumber);
    if (step.kind === "stale") {
      this.stats.stale++;
      return "stale";
    }
    const frames = framesIn(packet.payload);
    if (this.clockMs === null || step.kind === "restart") {
      // A restarted numbering is a new stream: it starts where the Space is now, never before audio already placed.
      this.clockMs = Math.max(this.startAtMs(), this.clockMs ?? -Infinity);
      for (const sink of this.sinks) sink.discontinuity(this.clockMs);
    } else if (step.kind === "gap") {
      const missingFrames = step.missing * (this.lastFrames || frames);
      if (step.fill) {
        // Short loss: silence of the same length keeps the audio's duration (and so word times) true.
        const silence = new Uint8Array(missingFrames * 4);
        for (const sink of this.sinks) sink.write(silence, this.clockMs);
        this.stats.filledPackets += step.missing;
      } else {
        this.stats.skippedPackets += step.missing;
        for (const sink of this.sinks) sink.discontinuity(this.clockMs + framesToMs(missingFrames));
      }
      this.clockMs += framesToMs(missingFrames);
    }
    for (const sink of this.sinks) sink.write(packet.payload, this.clockMs);
    this.clockMs += framesToMs(frames);
    this.lastFrames = frames;
    this.stats.packets++;
    this.stats.bytes += packet.payload.byteLength;
    return "ok";
  }

  close(): void {
    for (const sink of this.sinks) sink.close();
  }
}
