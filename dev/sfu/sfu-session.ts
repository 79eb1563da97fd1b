// One Calls session of the stand-in SFU: a werift RTCPeerConnection to one browser, the tracks it
// publishes and the tracks it pulls. SDP operations on a session run one at a time.
import { MediaStreamTrack, type RTCPeerConnection, type RTCRtpTransceiver } from "werift";
import type { SessionDescription, SessionTrack, TrackObject } from "../../worker/calls/types.ts";
import { loopbackPeerConnection, toLoopbackSdp } from "./loopback-sdp.ts";
import { PublishedTrack } from "./published-track.ts";

/** How long a shutdown waits for a running SDP operation (loopback gathering takes milliseconds). */
const DESTROY_WAIT_MS = 5000;

type Pull = { mid: string; source: PublishedTrack; track: MediaStreamTrack; transceiver: RTCRtpTransceiver; closed: boolean };

/** A failure the HTTP layer turns into a Calls-style `{ errorCode, errorDescription }` body. */
export class CallsApiError extends Error {
  readonly status: number;
  readonly errorCode: string;
  constructor(status: number, errorCode: string, errorDescription: string) {
    super(errorDescription);
    this.status = status;
    this.errorCode = errorCode;
  }
}

/** Waits for `work`, but no longer than `ms` (the timer does not keep the process alive). */
async function within(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  await Promise.race([Promise.resolve(work).catch(() => undefined), limit]);
  clearTimeout(timer);
}

export class SfuSession {
  readonly id: string;
  private pc: RTCPeerConnection | undefined;
  private readonly published = new Map<string, PublishedTrack>();
  private readonly pulls = new Map<string, Pull>();
  private pending: Promise<unknown> = Promise.resolve();
  private destroyed = false;

  constructor(id: string) {
    this.id = id;
  }

  /** Runs SDP operations in arrival order so two requests never interleave on one connection. */
  serialize<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.pending.then(operation, operation);
    this.pending = result.catch(() => undefined);
    return result;
  }

  async answer(offer: SessionDescription): Promise<SessionDescription> {
    if (offer.type !== "offer") throw new CallsApiError(400, "invalid_request", "sessionDescription must be an offer");
    const pc = this.connection();
    try {
      await pc.setRemoteDescription({ type: "offer", sdp: offer.sdp });
      await pc.setLocalDescription(await pc.createAnswer());
    } catch (error) {
      throw new CallsApiError(400, "invalid_sdp", `could not apply the offer: ${String(error)}`);
    }
    return this.localDescription();
  }

  /** Call after `answer(offer)`: binds each announced mid of the offer to a published track. */
  publish(trackName: string, mid: string): TrackObject {
    const transceiver = this.pc?.getTransceivers().find((candidate) => candidate.mid === mid);
    if (!transceiver) return { trackName, mid, errorCode: "invalid_mid", errorDescription: `no m-line with mid ${mid} in the offer` };
    this.published.get(mid)?.close();
    this.published.set(mid, new PublishedTrack({ sessionId: this.id, trackName, mid, transceiver }));
    return { location: "local", trackName, mid };
  }

  findPublished(trackName: string): PublishedTrack | undefined {
    for (const track of this.published.values()) if (track.trackName === trackName && !track.closed) return track;
    return undefined;
  }

  /** Adds one sendonly m-line per source and returns the SFU's offer, which the browser must answer. */
  async pull(sources: PublishedTrack[]): Promise<{ offer: SessionDescription; tracks: TrackObject[] }> {
    const pc = this.connection();
    if (pc.signalingState !== "stable") {
      throw new CallsApiError(409, "renegotiation_pending", "answer the previous offer with renegotiate first");
    }
    const added = sources.map((source) => {
      const track = new MediaStreamTrack({ kind: "audio" });
      return { source, track, transceiver: pc.addTransceiver(track, { direction: "sendonly" }) };
    });
    await pc.setLocalDescription(await pc.createOffer());
    const tracks: TrackObject[] = [];
    for (const { source, track, transceiver } of added) {
      const mid = transceiver.mid ?? "";
      this.pulls.set(mid, { mid, source, track, transceiver, closed: false });
      source.subscribe(track);
      tracks.push({ location: "remote", sessionId: source.sessionId, trackName: source.trackName, mid });
    }
    return { offer: this.localDescription(), tracks };
  }

  async renegotiate(answer: SessionDescription): Promise<void> {
    if (!this.pc || this.pc.signalingState !== "have-local-offer") {
      throw new CallsApiError(400, "invalid_state", "there is no SFU offer waiting for an answer");
    }
    if (answer.type !== "answer") throw new CallsApiError(400, "invalid_request", "sessionDescription must be an answer");
    try {
      await this.pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
    } catch (error) {
      throw new CallsApiError(400, "invalid_sdp", `could not apply the answer: ${String(error)}`);
    }
  }

  /**
   * Stops forwarding for each mid at once, then settles the SDP like Calls: with the browser's offer the SFU answers,
   * with `force` nothing is renegotiated. Per-track results carry only the mid (and an error), as Calls' do.
   */
  async close(
    mids: string[],
    offer: SessionDescription | undefined,
    force: boolean,
  ): Promise<{ sessionDescription?: SessionDescription; requiresImmediateRenegotiation: false; tracks: TrackObject[] }> {
    if (!force && offer?.type !== "offer") {
      throw new CallsApiError(400, "invalid_request", "force: false needs the endpoint's offer in sessionDescription");
    }
    const tracks = mids.map((mid) => this.closeMid(mid));
    if (force || !offer) return { requiresImmediateRenegotiation: false, tracks };
    return { sessionDescription: await this.answer(offer), requiresImmediateRenegotiation: false, tracks };
  }

  tracks(): SessionTrack[] {
    const publishedTracks: SessionTrack[] = [...this.published.values()].map((track) => ({
      location: "local",
      mid: track.mid,
      trackName: track.trackName,
      status: track.status(),
    }));
    const pulledTracks: SessionTrack[] = [...this.pulls.values()].map((pull) => ({
      location: "remote",
      mid: pull.mid,
      trackName: pull.source.trackName,
      sessionId: pull.source.sessionId,
      status: pull.closed ? "inactive" : pull.source.status(),
    }));
    return [...publishedTracks, ...pulledTracks];
  }

  /**
   * Ends the session for good, within a bounded time. An SDP operation still running may be gathering ICE candidates,
   * and werift binds those sockets even after a close that came mid-gather, then never closes them; its close can also
   * stall in the DTLS teardown. Either kept the e2e process that hosts the stand-in alive after its last test. So the
   * running operation is let finish first (none can start after this), the connection is closed, and its ICE sockets
   * are closed directly in case that close did not get to them.
   */
  async destroy(): Promise<void> {
    this.destroyed = true;
    await within(this.pending, DESTROY_WAIT_MS);
    for (const track of this.published.values()) track.close();
    for (const pull of this.pulls.values()) pull.source.unsubscribe(pull.track);
    const ice = this.pc?.iceTransports ?? [];
    await within(this.pc?.close(), DESTROY_WAIT_MS);
    await Promise.allSettled(ice.map((transport) => transport.connection.close()));
  }

  private closeMid(mid: string): TrackObject {
    const published = this.published.get(mid);
    if (published && !published.closed) {
      published.close();
      return { mid };
    }
    const pull = this.pulls.get(mid);
    if (pull && !pull.closed) {
      pull.closed = true;
      pull.source.unsubscribe(pull.track);
      return { mid };
    }
    return { mid, errorCode: "close_track_error", errorDescription: "Track doesn't exist or was already closed" };
  }

  private connection(): RTCPeerConnection {
    if (this.destroyed) throw new CallsApiError(404, "session_not_found", `session ${this.id} has ended`);
    this.pc ??= loopbackPeerConnection();
    return this.pc;
  }

  private localDescription(): SessionDescription {
    const description = this.pc?.localDescription;
    if (!description) throw new CallsApiError(500, "internal_error", "the SFU has no local description");
    return { type: description.type === "offer" ? "offer" : "answer", sdp: toLoopbackSdp(description.sdp) };
  }
}
