// Helpers for the captions worker tests: the media object's adapters, what the SFU's adapters dialled (the Node
// recorder), a speaker on stage who publishes, and adapter PCM packets.
import { env } from "cloudflare:test";
import { inject, vi } from "vitest";
import { encodeAdapterPacket } from "../../worker/media/adapter-packet.ts";
import { mediaFor } from "../../worker/media/space-media.ts";
import type { TrackRef } from "../../worker/protocol/room.ts";
import type { AdapterConnection } from "./adapter-endpoint.ts";
import { newAudioSession, publish } from "./audio-helpers.ts";
import type { Person, RoomSocket } from "./room-helpers.ts";

const recorder = inject("adapterEndpointHttp");

export const mediaAdapters = (spaceId: string) => mediaFor(env, spaceId).adapters();

export async function dialled(spaceId: string): Promise<AdapterConnection[]> {
  const all = (await (await fetch(`${recorder}/connections`)).json()) as AdapterConnection[];
  return all.filter((c) => c.path === `/api/spaces/${spaceId}/media/adapter`);
}

/** Reads until `done` holds (the room opens and closes adapters after the frame that caused it returns). */
export const until = <T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> =>
  vi.waitFor(
    async () => {
      const value = await read();
      if (!done(value)) throw new Error(`still ${JSON.stringify(value)}`);
      return value;
    },
    { timeout: timeoutMs, interval: 50 },
  );

export async function publishMic(person: Person, spaceId: string): Promise<TrackRef> {
  const session = await newAudioSession(person, spaceId);
  const res = await publish(person, spaceId, session.sessionToken);
  if (res.status !== 200) throw new Error(`publish failed: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json.track as TrackRef;
}

/** Brings `person` on stage as a speaker through the host's socket and waits until the room says so. */
export async function makeSpeaker(hostSocket: RoomSocket, personSocket: RoomSocket, userId: string): Promise<void> {
  hostSocket.send({ type: "set_role", userId, role: "speaker" });
  await personSocket.next("update", (u) => u.you?.role === "speaker");
}

/** The flite speech clip as the SFU's adapter would send it: 20 ms protobuf packets of 48 kHz stereo s16le, numbered from `firstSeq`. */
export async function speechPackets(trailingSilenceMs = 2000, firstSeq = 1): Promise<Uint8Array[]> {
  const res = await fetch(`${recorder}/speech.pcm`);
  if (res.status !== 200) throw new Error("flite and sox are needed for the speech clip (apt-get install -y flite sox)");
  const speech = new Uint8Array(await res.arrayBuffer());
  const all = new Uint8Array(speech.byteLength + (trailingSilenceMs / 1000) * 48_000 * 4);
  all.set(speech, 0);
  const packetBytes = 960 * 4;
  const packets: Uint8Array[] = [];
  for (let offset = 0, seq = firstSeq; offset + packetBytes <= all.byteLength; offset += packetBytes, seq++) {
    packets.push(encodeAdapterPacket({ sequenceNumber: seq, timestamp: seq * 960, payload: all.subarray(offset, offset + packetBytes) }));
  }
  return packets;
}

/** `ms` of silence as 20 ms adapter packets numbered from `firstSeq` (a speaker on stage who says nothing yet). */
export function silencePackets(ms: number, firstSeq = 1): Uint8Array[] {
  const payload = new Uint8Array(960 * 4);
  return Array.from({ length: ms / 20 }, (_, i) => encodeAdapterPacket({ sequenceNumber: firstSeq + i, timestamp: (firstSeq + i) * 960, payload }));
}

/** Words of the stand-in's test sentence that pocketsphinx reliably gets: a caption with 3 of them is that sentence. */
export const CONTENT_WORDS = ["welcome", "space", "everyone", "weather", "music"];

export const wordsHeard = (text: string): number => {
  const heard = new Set(text.toLowerCase().split(/\W+/));
  return CONTENT_WORDS.filter((word) => heard.has(word)).length;
};
