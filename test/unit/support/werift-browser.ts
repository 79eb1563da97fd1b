// A browser stand-in made of a werift RTCPeerConnection on loopback, for tests that need real
// WebRTC against the local SFU without launching Chromium. Sends Opus-shaped RTP on demand.
import { MediaStreamTrack, RtpHeader, RtpPacket } from "werift";
import { keepLoopbackCandidates, loopbackPeerConnection } from "../../../dev/sfu/loopback-sdp.ts";

/** An Opus packet for 20 ms of silence (TOC byte + empty frame). */
const OPUS_SILENCE = Buffer.from([0xf8, 0xff, 0xfe]);

export function createWeriftBrowser() {
  const pc = loopbackPeerConnection();
  const outgoing = new MediaStreamTrack({ kind: "audio" });
  let received = 0;
  let sender: ReturnType<typeof setInterval> | undefined;
  pc.onTrack.subscribe((track) => track.onReceiveRtp.subscribe(() => received++));

  const localSdp = () => keepLoopbackCandidates(pc.localDescription?.sdp ?? "");

  return {
    async offerToPublish(): Promise<{ sdp: string; mid: string }> {
      const transceiver = pc.addTransceiver(outgoing, { direction: "sendonly" });
      await pc.setLocalDescription(await pc.createOffer());
      return { sdp: localSdp(), mid: transceiver.mid ?? "" };
    },
    /** Stops receiving on one m-line the way a browser does before a negotiated close: inactive, then offer. */
    async offerWithInactive(mid: string): Promise<string> {
      const transceiver = pc.getTransceivers().find((candidate) => candidate.mid === mid);
      if (!transceiver) throw new Error(`no transceiver with mid ${mid}`);
      transceiver.setDirection("inactive");
      await pc.setLocalDescription(await pc.createOffer());
      return localSdp();
    },
    async applyAnswer(sdp: string): Promise<void> {
      await pc.setRemoteDescription({ type: "answer", sdp });
    },
    async answer(offerSdp: string): Promise<string> {
      await pc.setRemoteDescription({ type: "offer", sdp: offerSdp });
      await pc.setLocalDescription(await pc.createAnswer());
      return localSdp();
    },
    async connected(timeoutMs = 5_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (pc.connectionState !== "connected") {
        if (Date.now() > deadline) throw new Error(`connection state ${pc.connectionState} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    /** 50 packets a second, like a real Opus sender with 20 ms frames; silence unless `nextFrame` encodes audio. */
    startSending(nextFrame: () => Buffer = () => OPUS_SILENCE): void {
      let sequenceNumber = 1;
      let timestamp = 960;
      sender = setInterval(() => {
        const header = new RtpHeader({ payloadType: 111, sequenceNumber, timestamp, ssrc: 0x1234_5678 });
        outgoing.writeRtp(new RtpPacket(header, nextFrame()));
        sequenceNumber = (sequenceNumber + 1) & 0xffff;
        timestamp += 960;
      }, 20);
    },
    packetsReceived: () => received,
    async waitForPackets(count: number, timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (received < count) {
        if (Date.now() > deadline) throw new Error(`received ${received} of ${count} RTP packets in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async close(): Promise<void> {
      if (sender) clearInterval(sender);
      await pc.close();
    },
  };
}
