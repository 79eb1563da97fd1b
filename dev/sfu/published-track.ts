// One track a browser publishes to the stand-in SFU: receives its Opus RTP and fans it out to the
// pulling sessions' werift tracks until it is closed.
import type { MediaStreamTrack, RtpPacket, RTCRtpTransceiver } from "werift";
import type { TrackStatus } from "../../worker/calls/types.ts";

/** Without RTP for this long a published track is reported `inactive` rather than `active`. */
const SILENCE_BEFORE_INACTIVE_MS = 3_000;

export class PublishedTrack {
  readonly sessionId: string;
  readonly trackName: string;
  readonly mid: string;
  closed = false;
  firstRtpAt: number | undefined;
  lastRtpAt: number | undefined;
  private readonly subscribers = new Set<MediaStreamTrack>();
  private readonly sources = new Set<MediaStreamTrack>();
  /** Non-WebRTC consumers of the raw RTP: WebSocket adapters. */
  private readonly rtpListeners = new Set<(rtp: RtpPacket) => void>();
  readonly publishedAt = Date.now();

  constructor(init: { sessionId: string; trackName: string; mid: string; transceiver: RTCRtpTransceiver }) {
    this.sessionId = init.sessionId;
    this.trackName = init.trackName;
    this.mid = init.mid;
    // werift emits onTrack when the first packet of a new SSRC arrives; a track may already exist
    // when the transceiver is reused across renegotiations.
    init.transceiver.onTrack.subscribe((track) => this.attachSource(track));
    for (const track of init.transceiver.receiver.tracks) this.attachSource(track);
  }

  /** A puller's outgoing track; packets start flowing with the next RTP received, even if none came yet. */
  subscribe(track: MediaStreamTrack): void {
    if (!this.closed) this.subscribers.add(track);
  }

  unsubscribe(track: MediaStreamTrack): void {
    this.subscribers.delete(track);
  }

  /** Raw RTP as received, for adapters; returns the unsubscribe function. Nothing arrives after close. */
  onRtp(listener: (rtp: RtpPacket) => void): () => void {
    this.rtpListeners.add(listener);
    return () => this.rtpListeners.delete(listener);
  }

  /** Stops forwarding at once: this is what enforces a host's mute on everyone who pulls the track. */
  close(): void {
    this.closed = true;
    this.subscribers.clear();
    this.rtpListeners.clear();
  }

  status(now = Date.now()): TrackStatus {
    if (this.closed) return "inactive";
    // Calls has no "waiting": a track that is not closed is "active" until its media goes away.
    if (this.lastRtpAt === undefined) return "active";
    return now - this.lastRtpAt <= SILENCE_BEFORE_INACTIVE_MS ? "active" : "inactive";
  }

  private attachSource(track: MediaStreamTrack): void {
    if (this.sources.has(track)) return;
    this.sources.add(track);
    track.onReceiveRtp.subscribe((rtp) => this.forward(rtp));
  }

  private forward(rtp: RtpPacket): void {
    if (this.closed) return;
    const now = Date.now();
    this.firstRtpAt ??= now;
    this.lastRtpAt = now;
    for (const listener of this.rtpListeners) {
      try {
        listener(rtp);
      } catch (error) {
        console.log(JSON.stringify({ event: "sfu_adapter_rtp_failed", trackName: this.trackName, error: String(error) }));
      }
    }
    if (this.subscribers.size === 0) return;
    // Header extension ids were negotiated with the publisher, not with the pullers: drop them.
    const packet = rtp.clone();
    packet.header.extension = false;
    packet.header.extensions = [];
    for (const subscriber of this.subscribers) {
      try {
        subscriber.writeRtp(packet);
      } catch (error) {
        // werift swallows exceptions in RTP callbacks; surface them so a broken puller is visible.
        console.log(JSON.stringify({ event: "sfu_forward_failed", trackName: this.trackName, error: String(error) }));
      }
    }
  }
}
