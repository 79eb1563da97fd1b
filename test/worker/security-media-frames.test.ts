// The media object's adapter socket caps frames (issue 12): a frame over ADAPTER_MAX_FRAME_BYTES closes the socket
// with 1009 before it is decoded, so it never starts a track, a recogniser stream or a recording part.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { encodeAdapterPacket } from "../../worker/media/adapter-packet.ts";
import { ADAPTER_MAX_FRAME_BYTES } from "../../worker/media/adapter-sockets.ts";
import { mediaFor, type SpaceMedia } from "../../worker/media/space-media.ts";
import { dialled, mediaAdapters, publishMic, until } from "./captions-helpers.ts";
import { adapterUpgrade, tonePackets } from "./recording-helpers.ts";
import { connect, liveSpace } from "./room-helpers.ts";

/** Tracks the media object is running now (each began from a decoded packet), read inside the object. */
const runningTracks = (spaceId: string) =>
  runInDurableObject(mediaFor(env, spaceId), (media: SpaceMedia) => (media as unknown as { tracks: Map<string, unknown> }).tracks.size);

async function openAdapter(spaceId: string, token: string): Promise<{ socket: WebSocket; closed: Promise<number> }> {
  const upgraded = await adapterUpgrade(spaceId, token);
  expect(upgraded.status).toBe(101);
  const socket = upgraded.webSocket!;
  const closed = new Promise<number>((resolve) => socket.addEventListener("close", (event) => resolve(event.code)));
  socket.accept();
  return { socket, closed };
}

describe("adapter frame cap", () => {
  it("closes the adapter socket with 1009 on a frame over the cap, before any track starts; a normal frame starts one", async () => {
    const { host, spaceId } = await liveSpace();
    await connect(host, spaceId);
    await publishMic(host, spaceId);
    await until(() => mediaAdapters(spaceId), (list) => list.some((a) => a.adapterId !== null));
    const [connection] = await until(() => dialled(spaceId), (list) => list.length > 0);

    const oversized = encodeAdapterPacket({ sequenceNumber: 1, timestamp: 960, payload: new Uint8Array(ADAPTER_MAX_FRAME_BYTES) });
    expect(oversized.byteLength).toBeGreaterThan(ADAPTER_MAX_FRAME_BYTES);
    const first = await openAdapter(spaceId, connection!.token);
    first.socket.send(oversized);
    expect(await first.closed).toBe(1009);
    expect(await runningTracks(spaceId)).toBe(0);

    // The same redial with packets of the real size is let in and its audio starts the track.
    const second = await openAdapter(spaceId, connection!.token);
    for (const packet of tonePackets(100)) second.socket.send(packet);
    expect(await until(() => runningTracks(spaceId), (n) => n === 1, 20_000)).toBe(1);
    second.socket.close(1000, "done");
  });
});
