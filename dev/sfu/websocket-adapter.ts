// One egress WebSocket adapter of the stand-in SFU: decodes a published track's Opus RTP to 48 kHz
// stereo s16le PCM, frames each packet as a protobuf adapter packet and streams it to the endpoint
// it dials. Like the real SFU it retries the same URL for up to 5 s after a drop, then gives up.
import { OpusDecoder } from "opus-decoder";
import type { RtpPacket } from "werift";
import WebSocket from "ws";
import { encodeAdapterPacket } from "../../worker/media/adapter-packet.ts";
import type { PublishedTrack } from "./published-track.ts";

const RECONNECT_WINDOW_MS = 5_000;
const RECONNECT_DELAY_MS = 250;
const HANDSHAKE_TIMEOUT_MS = 5_000;
const OPUS_CLOCK_HZ = 48_000;
const CHANNELS = 2;

export type AdapterLog = (event: string, fields: Record<string, unknown>) => void;

export class WebSocketAdapter {
  readonly id = crypto.randomUUID().replaceAll("-", "");
  readonly createdAt = Date.now();
  /** PCM payload bytes delivered to the endpoint; reported by close as `bytesProcessed`. */
  bytesProcessed = 0;
  packetsSent = 0;
  closed = false;
  private socket: WebSocket | undefined;
  private sequenceNumber = 0;
  private firstRtpTimestamp: number | undefined;
  private droppedAt: number | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private unsubscribe: () => void = () => undefined;

  readonly source: PublishedTrack;
  readonly endpoint: string;
  private readonly decoder: OpusDecoder<typeof OPUS_CLOCK_HZ>;
  private readonly log: AdapterLog;

  private constructor(source: PublishedTrack, endpoint: string, decoder: OpusDecoder<typeof OPUS_CLOCK_HZ>, log: AdapterLog) {
    this.source = source;
    this.endpoint = endpoint;
    this.decoder = decoder;
    this.log = log;
  }

  /** Dials the endpoint once; resolves when the handshake succeeded, rejects with a reason if not. */
  static async open(source: PublishedTrack, endpoint: string, log: AdapterLog): Promise<WebSocketAdapter> {
    const decoder = new OpusDecoder({ sampleRate: OPUS_CLOCK_HZ, channels: CHANNELS });
    await decoder.ready;
    const adapter = new WebSocketAdapter(source, endpoint, decoder, log);
    try {
      adapter.socket = await dial(endpoint);
    } catch (error) {
      decoder.free();
      throw error;
    }
    adapter.watch(adapter.socket);
    adapter.unsubscribe = source.onRtp((rtp) => adapter.forward(rtp));
    log("sfu_adapter_connected", { adapterId: adapter.id, trackName: source.trackName, reconnect: false });
    return adapter;
  }

  /** Stops streaming and closes the socket; safe to call more than once. */
  close(reason = "adapter closed"): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    clearTimeout(this.retryTimer);
    this.socket?.close(1000, reason);
    this.decoder.free();
    this.log("sfu_adapter_closed", { adapterId: this.id, reason, bytesProcessed: this.bytesProcessed, packets: this.packetsSent });
  }

  private forward(rtp: RtpPacket): void {
    if (this.closed) return;
    // Decode every packet, even while disconnected, so the decoder's state follows the stream.
    const decoded = this.decoder.decodeFrame(new Uint8Array(rtp.payload));
    if (decoded.samplesDecoded === 0) return;
    this.firstRtpTimestamp ??= rtp.header.timestamp;
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    const payload = interleaveS16le(decoded.channelData, decoded.samplesDecoded);
    // Opus RTP runs on a 48 kHz clock, so the RTP timestamp delta is already in PCM samples.
    const timestamp = (rtp.header.timestamp - this.firstRtpTimestamp) >>> 0;
    this.sequenceNumber = (this.sequenceNumber + 1) >>> 0;
    socket.send(encodeAdapterPacket({ sequenceNumber: this.sequenceNumber, timestamp, payload }));
    if (this.packetsSent === 0) {
      this.log("sfu_adapter_first_packet", {
        adapterId: this.id,
        trackName: this.source.trackName,
        msSinceAdapterNew: Date.now() - this.createdAt,
        msSincePublish: Date.now() - this.source.publishedAt,
      });
    }
    this.packetsSent += 1;
    this.bytesProcessed += payload.length;
  }

  private watch(socket: WebSocket): void {
    socket.on("close", () => {
      if (this.closed || socket !== this.socket) return;
      this.droppedAt ??= Date.now();
      this.log("sfu_adapter_dropped", { adapterId: this.id, trackName: this.source.trackName });
      this.scheduleRetry();
    });
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    if (Date.now() - (this.droppedAt ?? Date.now()) >= RECONNECT_WINDOW_MS) {
      this.log("sfu_adapter_gave_up", { adapterId: this.id, windowMs: RECONNECT_WINDOW_MS });
      this.close("endpoint unreachable for 5 s");
      return;
    }
    this.retryTimer = setTimeout(() => {
      dial(this.endpoint).then(
        (socket) => {
          if (this.closed) {
            socket.close(1000, "adapter closed");
            return;
          }
          this.socket = socket;
          this.droppedAt = undefined;
          this.watch(socket);
          this.log("sfu_adapter_connected", { adapterId: this.id, trackName: this.source.trackName, reconnect: true });
        },
        () => this.scheduleRetry(),
      );
    }, RECONNECT_DELAY_MS);
  }
}

/** One WebSocket handshake, as the SFU makes it: no custom headers, no redirects. */
function dial(endpoint: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(endpoint, { followRedirects: false, handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
    socket.once("open", () => resolve(socket));
    // Stays attached: a late error (after a reject or during a drop) must not become an uncaught one.
    socket.on("error", (error) => reject(error));
    socket.once("unexpected-response", (_request, response) => {
      socket.terminate();
      reject(new Error(`the endpoint answered HTTP ${response.statusCode} instead of upgrading`));
    });
  });
}

/** Planar float channels from the decoder to interleaved little-endian 16-bit PCM. */
export function interleaveS16le(channels: Float32Array[], samples: number): Uint8Array {
  const out = new Uint8Array(samples * CHANNELS * 2);
  const view = new DataView(out.buffer);
  for (let index = 0; index < samples; index++) {
    for (let channel = 0; channel < CHANNELS; channel++) {
      const value = (channels[channel] ?? channels[0]!)[index]!;
      const clamped = Math.max(-1, Math.min(1, value));
      view.setInt16((index * CHANNELS + channel) * 2, Math.round(clamped * 32767), true);
    }
  }
  return out;
}
