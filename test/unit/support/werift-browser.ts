// A browser stand-in made of a werift RTCPeerConnection on loopback, for tests that need real
// WebRTC against the local SFU without launching Chromium. Sends Opus-shaped RTP on demand.
import { MediaStreamTrack, RtpHeader, RtpPacket } from "werift";
import { keepLoopbackCandidates, loopbackPeerConnection } from "../../../dev/sfu/loopback-sdp.ts";
import type { CallsClient } from "../../../worker/calls/client.ts";

/** An Opus packet for 20 ms of silence (TOC byte + empty frame). */
const OPUS_SILENCE = Buffer.from([0xf8, 0xff, 0xfe]);

/** A count a test can wait on: `reach` resolves on the increment that gets there, or fails after timeoutMs. */
function countdown(what: string) {
  let value = 0;
  const waiters = new Set<() => void>();
  return {
    value: () => value,
    add(): void {
      value += 1;
      for (const wake of [...waiters]) wake();
    },
    reach(target: number, timeoutMs: number): Promise<void> {
      return new Promise((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        const check = () => {
          if (value < target) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${what}: ${value} of ${target} in ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

export function createWeriftBrowser() {
  const pc = loopbackPeerConnection();
  const outgoing = new MediaStreamTrack({ kind: "audio" });
  const received = countdown("RTP packets received");
  const sent = countdown("RTP packets sent");
  let sender: ReturnType<typeof setInterval> | undefined;
  pc.onTrack.subscribe((track) => track.onReceiveRtp.subscribe(() => received.add()));

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
    connected(timeoutMs = 5_000): Promise<void> {
      return new Promise((resolve, reject) => {
        const settle = () => {
          if (pc.connectionState !== "connected" && pc.connectionState !== "failed") return;
          clearTimeout(timer);
          subscription.unSubscribe();
          if (pc.connectionState === "connected") resolve();
          else reject(new Error("connection failed"));
        };
        const timer = setTimeout(() => {
          subscription.unSubscribe();
          reject(new Error(`connection state ${pc.connectionState} after ${timeoutMs} ms`));
        }, timeoutMs);
        const subscription = pc.connectionStateChange.subscribe(settle);
        settle();
      });
    },
    /** 50 packets a second (the media clock), like a real Opus sender with 20 ms frames; silence unless `nextFrame` encodes audio. */
    startSending(nextFrame: () => Buffer = () => OPUS_SILENCE): void {
      let sequenceNumber = 1;
      let timestamp = 960;
      sender = setInterval(() => {
        const header = new RtpHeader({ payloadType: 111, sequenceNumber, timestamp, ssrc: 0x1234_5678 });
        outgoing.writeRtp(new RtpPacket(header, nextFrame()));
        sequenceNumber = (sequenceNumber + 1) & 0xffff;
        timestamp += 960;
        sent.add();
      }, 20);
    },
    packetsReceived: received.value,
    packetsSent: sent.value,
    waitForPackets: (count: number, timeoutMs: number) => received.reach(count, timeoutMs),
    waitForSent: (count: number, timeoutMs: number) => sent.reach(count, timeoutMs),
    async close(): Promise<void> {
      if (sender) clearInterval(sender);
      await pc.close();
    },
  };
}

export type WeriftBrowser = ReturnType<typeof createWeriftBrowser>;

/** A new Calls session on which `publisher` publishes its mic as track `trackName`; its id and the track's mid. */
export async function publishOn(client: CallsClient, publisher: WeriftBrowser, trackName = "mic"): Promise<{ sessionId: string; mid: string }> {
  const session = await client.newSession();
  if (!session.ok) throw new Error(`newSession failed: ${session.errorDescription}`);
  const { sdp, mid } = await publisher.offerToPublish();
  const pushed = await client.newTracks(session.value.sessionId, {
    sessionDescription: { type: "offer", sdp },
    tracks: [{ location: "local", mid, trackName }],
  });
  if (!pushed.ok) throw new Error(pushed.errorDescription);
  await publisher.applyAnswer(pushed.value.sessionDescription?.sdp ?? "");
  return { sessionId: session.value.sessionId, mid };
}
