// The stand-in SFU's shutdown leaves no socket behind: a session torn down while an SDP operation is still gathering
// ICE candidates once kept werift's UDP sockets open, and with them the e2e process that hosts the stand-in (it
// hung after its last test in a clean run). Real werift on loopback, no browser.
import { MediaStreamTrack } from "werift";
import { describe, expect, it } from "vitest";
import { CallsApiError } from "../../dev/sfu/sfu-session.ts";
import { SessionRegistry } from "../../dev/sfu/calls-api.ts";
import { keepLoopbackCandidates, loopbackPeerConnection } from "../../dev/sfu/loopback-sdp.ts";

const udpSockets = () => process.getActiveResourcesInfo().filter((name) => /udp/i.test(name)).length;

/** A browser-like offer with one audio track, from a werift peer that is closed again before the test counts. */
async function audioOffer(): Promise<string> {
  const browser = loopbackPeerConnection();
  browser.addTransceiver(new MediaStreamTrack({ kind: "audio" }), { direction: "sendonly" });
  await browser.setLocalDescription(await browser.createOffer());
  const sdp = keepLoopbackCandidates(browser.localDescription!.sdp);
  await browser.close();
  return sdp;
}

describe("stand-in SFU shutdown", () => {
  it("closes the sockets of a session whose answer was still being made when the SFU stopped", async () => {
    const offer = await audioOffer();
    const before = udpSockets();
    for (let round = 0; round < 5; round++) {
      const registry = new SessionRegistry();
      const session = registry.create();
      const answering = session.serialize(() => session.answer({ type: "offer", sdp: offer })).catch((error: unknown) => error);
      await registry.destroyAll();
      await answering;
    }
    expect(udpSockets()).toBe(before);
  });

  it("refuses new sessions and SDP work once stopped, in the Calls error shape", async () => {
    const registry = new SessionRegistry();
    const session = registry.create();
    await registry.destroyAll();
    expect(() => registry.create()).toThrow(CallsApiError);
    const late = await session.serialize(() => session.answer({ type: "offer", sdp: "v=0" })).catch((error: unknown) => error);
    expect(late).toBeInstanceOf(CallsApiError);
    expect((late as CallsApiError).errorCode).toBe("session_not_found");
  });
});
