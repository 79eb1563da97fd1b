// Helpers for the audio route tests: a browser-shaped publish offer, audio calls through the Worker, and a Calls
// client that looks straight into the SFU stand-in the global setup started.
import { env } from "cloudflare:test";
import { createCallsClient } from "../../worker/calls/client.ts";
import type { SessionTrack } from "../../worker/calls/types.ts";
import type { Client } from "./helpers.ts";

/**
 * A sendonly Opus offer as a WebRTC stack makes it (werift's, recorded once), without candidates: the SFU answers it
 * and binds the mid, and with no media ever flowing the published track stays "active" until it is closed.
 */
export const PUBLISH_OFFER = [
  "v=0", "o=- 14531160 0 IN IP4 0.0.0.0", "s=-", "t=0 0", "a=group:BUNDLE 0", "a=extmap-allow-mixed", "a=msid-semantic:WMS *",
  "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=ice-ufrag:9bff", "a=ice-pwd:984963f81288842f615e3a",
  "a=ice-options:trickle",
  "a=fingerprint:sha-256 49:EF:E0:33:49:6C:48:69:51:85:17:21:4A:A6:FA:65:51:CF:8A:8C:98:02:3B:1E:17:D5:6E:34:D3:44:D0:8D",
  "a=setup:actpass", "a=sendonly", "a=mid:0", "a=rtcp:9 IN IP4 0.0.0.0", "a=rtcp-mux",
  "a=ssrc:4071546464 cname:d49e2d08-2317-44d0-a9eb-b48c322cc085", "a=rtpmap:111 opus/48000/2", "",
].join("\r\n");
export const PUBLISH_MID = "0";

export const sfu = createCallsClient({ baseUrl: env.CALLS_API_BASE, appId: env.CALLS_APP_ID, appSecret: env.CALLS_APP_SECRET });

export const audioPath = (spaceId: string, step: string) => `/api/spaces/${spaceId}/audio/${step}`;

export async function newAudioSession(person: Client, spaceId: string): Promise<{ sessionId: string; sessionToken: string }> {
  const res = await person.call("POST", audioPath(spaceId, "session"));
  if (res.status !== 201) throw new Error(`audio session failed: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

export function publish(person: Client, spaceId: string, sessionToken: string) {
  return person.call("POST", audioPath(spaceId, "publish"), { sessionToken, offer: PUBLISH_OFFER, mid: PUBLISH_MID });
}

/** The tracks the SFU itself reports for a session (not what the Worker or the room believe). */
export async function sfuTracks(sessionId: string): Promise<SessionTrack[]> {
  const session = await sfu.getSession(sessionId);
  if (!session.ok) throw new Error(`getSession failed: ${session.errorCode}`);
  return session.value.tracks;
}

export async function localTrackStatus(sessionId: string, trackName: string): Promise<string | undefined> {
  return (await sfuTracks(sessionId)).find((t) => t.location === "local" && t.trackName === trackName)?.status;
}
