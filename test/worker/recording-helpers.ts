// Helpers for the recording worker tests: a live Space whose host's track has an adapter (token in hand), tone
// packets as the SFU's adapter sends them, R2 listings of a Space's recording, and the recording switch.
import { env, SELF } from "cloudflare:test";
import { expect } from "vitest";
import { encodeAdapterPacket } from "../../worker/media/adapter-packet.ts";
import { ORIGIN } from "./helpers.ts";
import { dialled, mediaAdapters, publishMic, until } from "./captions-helpers.ts";
import { connect, liveSpace, type Person } from "./room-helpers.ts";

export const adapterUpgrade = (spaceId: string, token: string) =>
  SELF.fetch(`${ORIGIN}/api/spaces/${spaceId}/media/adapter?token=${encodeURIComponent(token)}`, { headers: { Upgrade: "websocket" } });

export const setRecording = (person: Person, spaceId: string, on: boolean) => person.call("POST", `/api/spaces/${spaceId}/recording`, { on });

/** A live recorded Space whose host published; the adapter socket the SFU would hold, opened. */
export async function recordedSpace(options: { captions?: boolean; body?: Record<string, unknown> } = {}) {
  const { host, spaceId } = await liveSpace(options.body);
  const hostSocket = await connect(host, spaceId);
  if (options.captions === false) {
    hostSocket.send({ type: "set_captions", on: false });
    await hostSocket.next("update", (u) => u.captions === "off");
  }
  const res = await setRecording(host, spaceId, true);
  if (res.status !== 200) throw new Error(`recording on failed: ${res.status} ${JSON.stringify(res.json)}`);
  await publishMic(host, spaceId);
  await until(() => mediaAdapters(spaceId), (list) => list.some((a) => a.adapterId !== null));
  const [connection] = await until(() => dialled(spaceId), (list) => list.length > 0);
  const upgraded = await adapterUpgrade(spaceId, connection!.token);
  if (upgraded.status !== 101) throw new Error(`adapter upgrade failed: ${upgraded.status}`);
  const socket = upgraded.webSocket!;
  socket.accept();
  return { host, hostSocket, spaceId, socket, token: connection!.token };
}

/** `ms` of a 440 Hz tone as 20 ms adapter packets (48 kHz stereo s16le), numbered from `firstSeq`. */
export function tonePackets(ms: number, firstSeq = 1): Uint8Array[] {
  const packets: Uint8Array[] = [];
  const frames = 960;
  for (let p = 0; p < ms / 20; p++) {
    const payload = new Uint8Array(frames * 4);
    const view = new DataView(payload.buffer);
    for (let i = 0; i < frames; i++) {
      const t = (p * frames + i) / 48_000;
      const v = Math.round(Math.sin(2 * Math.PI * 440 * t) * 12_000);
      view.setInt16(i * 4, v, true);
      view.setInt16(i * 4 + 2, v, true);
    }
    const seq = firstSeq + p;
    packets.push(encodeAdapterPacket({ sequenceNumber: seq, timestamp: seq * frames, payload }));
  }
  return packets;
}

export async function r2Keys(spaceId: string): Promise<string[]> {
  return (await env.MEDIA.list({ prefix: `recordings/${spaceId}/` })).objects.map((o) => o.key);
}

export const partKeys = async (spaceId: string) => (await r2Keys(spaceId)).filter((k) => k.includes("/parts/"));

/** Sends tone packets (`ms` long) and ends the Space; returns once its replay is ready. */
export async function recordAndEnd(ms = 10_000) {
  const space = await recordedSpace();
  for (const packet of tonePackets(ms)) space.socket.send(packet);
  await until(() => partKeys(space.spaceId), (keys) => keys.length >= Math.floor(ms / 4000) - 1, 15_000);
  const ended = await space.host.call("POST", `/api/spaces/${space.spaceId}/end`);
  if (ended.status !== 200) throw new Error(`end failed: ${ended.status}`);
  await until(() => space.host.call("GET", `/api/spaces/${space.spaceId}/replay`), (r) => r.status === 200, 15_000);
  return space;
}

/** Dials the media object's adapter endpoint as the SFU does, and takes the accepted socket. */
export async function openAdapterSocket(spaceId: string, token: string): Promise<WebSocket> {
  const response = await adapterUpgrade(spaceId, token);
  expect(response.status).toBe(101);
  const socket = response.webSocket!;
  socket.accept();
  return socket;
}
