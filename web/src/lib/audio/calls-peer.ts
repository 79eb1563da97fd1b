// One browser RTCPeerConnection bound to one Calls session (through the Worker): publish the mic, pull remote
// tracks (the SFU offers, we answer), drop pulls. Callers run these one at a time; SDP steps must not interleave.
import type { PulledTrack } from "#protocol/audio.ts";
import type { TrackRef } from "#protocol/room.ts";
import { audioApi } from "./audio-api.ts";

export type PeerEvents = {
  /** A remote track arrived on m-line `mid` (pulled tracks are matched to people by mid). */
  onTrack(mid: string, track: MediaStreamTrack): void;
  onConnectionState(state: RTCPeerConnectionState): void;
};

export type Published = { mid: string; sender: RTCRtpSender; track: TrackRef };

export class CallsPeer {
  readonly pc: RTCPeerConnection;
  readonly sessionId: string;
  private readonly spaceId: string;
  private readonly sessionToken: string;

  private constructor(spaceId: string, sessionId: string, sessionToken: string, events: PeerEvents) {
    this.spaceId = spaceId;
    this.sessionId = sessionId;
    this.sessionToken = sessionToken;
    this.pc = new RTCPeerConnection({ bundlePolicy: "max-bundle", iceServers: [{ urls: "stun:stun.cloudflare.com:3478" }] });
    this.pc.ontrack = (event) => {
      if (event.transceiver.mid) events.onTrack(event.transceiver.mid, event.track);
    };
    this.pc.onconnectionstatechange = () => events.onConnectionState(this.pc.connectionState);
  }

  /** `joinToken`: the room socket may still be opening; the ticket lets the session start alongside it. */
  static async open(spaceId: string, events: PeerEvents, joinToken?: string): Promise<CallsPeer> {
    const session = await audioApi.session(spaceId, joinToken);
    return new CallsPeer(spaceId, session.sessionId, session.sessionToken, events);
  }

  /** Sends `track` on a new sendonly m-line; the Worker refuses (403) anyone not on the stage. */
  async publish(track: MediaStreamTrack): Promise<Published> {
    const transceiver = this.pc.addTransceiver(track, { direction: "sendonly" });
    try {
      await this.pc.setLocalDescription(await this.pc.createOffer());
      const published = await audioApi.publish(this.spaceId, {
        sessionToken: this.sessionToken,
        offer: this.pc.localDescription?.sdp ?? "",
        mid: transceiver.mid ?? "",
      });
      await this.pc.setRemoteDescription({ type: "answer", sdp: published.answer });
      return { mid: transceiver.mid ?? "", sender: transceiver.sender, track: published.track };
    } catch (error) {
      // Leave the connection as it was: no half-made offer, no orphan m-line sending the mic.
      if (this.pc.signalingState === "have-local-offer") await this.pc.setLocalDescription({ type: "rollback" }).catch(() => undefined);
      transceiver.sender.replaceTrack(null).catch(() => undefined);
      transceiver.stop();
      throw error;
    }
  }

  /** Pulls tracks; resolves with the ones the SFU added (people left the stage meanwhile are skipped). */
  async pull(tracks: TrackRef[]): Promise<PulledTrack[]> {
    const pulled = await audioApi.pull(this.spaceId, { sessionToken: this.sessionToken, tracks });
    if (pulled.requiresImmediateRenegotiation && pulled.offer) await this.answerSfuOffer(pulled.offer);
    return pulled.tracks;
  }

  /** Stops receiving on the given m-lines: we offer them inactive, the SFU closes them and answers. */
  async drop(mids: string[]): Promise<void> {
    for (const transceiver of this.pc.getTransceivers()) {
      if (transceiver.mid && mids.includes(transceiver.mid)) transceiver.direction = "inactive";
    }
    await this.pc.setLocalDescription(await this.pc.createOffer());
    const closed = await audioApi.close(this.spaceId, {
      sessionToken: this.sessionToken,
      mids,
      offer: this.pc.localDescription?.sdp ?? "",
    });
    if (closed.answer) await this.pc.setRemoteDescription({ type: "answer", sdp: closed.answer });
    else if (closed.offer) await this.answerSfuOffer(closed.offer);
  }

  close(): void {
    this.pc.ontrack = null;
    this.pc.onconnectionstatechange = null;
    this.pc.close();
  }

  private async answerSfuOffer(offer: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: "offer", sdp: offer });
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await audioApi.renegotiate(this.spaceId, { sessionToken: this.sessionToken, answer: this.pc.localDescription?.sdp ?? "" });
  }
}
