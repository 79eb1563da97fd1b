// Loopback-only WebRTC for the stand-in SFU: a werift connection on 127.0.0.1, and SDP rewrites that keep it loopback-only and acceptable to Chromium: only 127.0.0.1
// ICE candidates, and bundled m-lines never advertised with port 0.

import { RTCPeerConnection, RTCRtpCodecParameters } from "werift";

const LOOPBACK = "127.0.0.1";

/** A werift peer connection that gathers only loopback candidates and speaks Opus on Chromium's payload type 111. */
export function loopbackPeerConnection(): RTCPeerConnection {
  return new RTCPeerConnection({
    bundlePolicy: "max-bundle",
    codecs: {
      // Chromium sends Opus as payload type 111; offering the same number keeps pullers' SDP simple.
      audio: [new RTCRtpCodecParameters({ mimeType: "audio/opus", clockRate: 48_000, channels: 2, payloadType: 111 })],
      video: [],
    },
    iceInterfaceAddresses: { udp4: LOOPBACK },
    iceAdditionalHostAddresses: [LOOPBACK],
    iceUseIpv6: false,
    iceUseTcp: false,
  });
}

/**
 * werift gathers every interface; a dev SFU must only be reachable on this machine, and advertising
 * other addresses makes browsers try them first.
 */
export function keepLoopbackCandidates(sdp: string): string {
  return splitLines(sdp)
    .filter((line) => {
      if (!line.startsWith("a=candidate:")) return true;
      const address = line.split(" ")[4];
      return address === LOOPBACK;
    })
    .join("\r\n");
}

/**
 * Chromium treats an m-line with port 0 as rejected even while it is still in the BUNDLE group, so
 * an `inactive` (closed) track would tear down its transceiver; port 9 keeps it merely inactive.
 */
export function keepBundledPortsOpen(sdp: string): string {
  const lines = splitLines(sdp);
  const bundled = new Set(
    lines
      .filter((line) => line.startsWith("a=group:BUNDLE "))
      .flatMap((line) => line.slice("a=group:BUNDLE ".length).trim().split(/\s+/)),
  );
  const sections = toSections(lines);
  for (const section of sections.slice(1)) {
    const mid = section.find((line) => line.startsWith("a=mid:"))?.slice("a=mid:".length);
    const mLine = section[0];
    if (mid === undefined || mLine === undefined || !bundled.has(mid)) continue;
    section[0] = mLine.replace(/^m=(\w+) 0 /, "m=$1 9 ");
  }
  return sections.flat().join("\r\n");
}

export function toLoopbackSdp(sdp: string): string {
  const rewritten = keepBundledPortsOpen(keepLoopbackCandidates(sdp));
  return rewritten.endsWith("\r\n") ? rewritten : `${rewritten}\r\n`;
}

function splitLines(sdp: string): string[] {
  return sdp.split(/\r?\n/).filter((line) => line.length > 0);
}

/** Session part first, then one array per m-section starting with its m= line. */
function toSections(lines: string[]): string[][] {
  const sections: string[][] = [[]];
  for (const line of lines) {
    if (line.startsWith("m=")) sections.push([line]);
    else sections[sections.length - 1]?.push(line);
  }
  return sections;
}
