// The adapter watchdog: when the SFU's adapter socket drops and no redial comes within the SFU's 5 s window (the SFU
// has then given up on the adapter), the media object closes that adapter at the SFU and asks for a new one for the
// same track, under a new token; the old token is refused from then on. Captions and recording parts resume through
// the new adapter; also when the loss is found only after a reset of the media object (no close event then). A Calls
// refusal backs off and ends in a failed state the room shows. The test plays the SFU's socket (the stand-in's adapters
// dial a Node recorder here).
import { describe, expect, it } from "vitest";
import { demuxOggOpus } from "../../worker/media/recording/ogg-opus.ts";
import { verifyAdapterToken } from "../../worker/media/adapter-token.ts";
import type { CaptionMessage } from "../../worker/protocol/room.ts";
import { env, runInDurableObject } from "cloudflare:test";
import { mediaFor } from "../../worker/media/space-media.ts";
import { signup } from "./helpers.ts";
import { PUBLISH_MID, sfu } from "./audio-helpers.ts";
import { dialled, mediaAdapters, publishMic, silencePackets, speechPackets, until, wordsHeard } from "./captions-helpers.ts";
import { adapterUpgrade, openAdapterSocket, partKeys, recordedSpace, tonePackets } from "./recording-helpers.ts";
import { connect, liveSpace } from "./room-helpers.ts";

/** pocketsphinx on a busy shared machine can take many seconds per sentence: wait for the event, however long. */
const SPEECH_WAIT_MS = 80_000;
/** The redial window (5 s) plus the watchdog's grace, on a loaded machine: generous, never asserted. */
const REOPEN_WAIT_MS = 60_000;

/** Opus packets of silence are a few bytes; a 440 Hz tone needs far more. */
const SILENT_PACKET_MAX = 20;

/** The largest Opus packet in a stored part (bytes). */
async function loudestPacket(key: string): Promise<number> {
  const object = await env.MEDIA.get(key);
  const stored = object ? demuxOggOpus(new Uint8Array(await object.arrayBuffer())) : null;
  return Math.max(0, ...(stored?.packets ?? []).map((p) => p.byteLength));
}

/** Closes the SFU's side of the socket and waits until the media object no longer counts it as connected. */
async function drop(spaceId: string, socket: WebSocket): Promise<void> {
  socket.close(1000, "the SFU lost the endpoint");
  await until(() => mediaAdapters(spaceId), (list) => list.every((a) => !a.connected), 10_000);
}

describe("the adapter watchdog replaces an adapter the SFU gave up on", () => {
  it("opens a new adapter for the same track after a drop with no redial, and captions resume through it", async () => {
    const { host, spaceId } = await liveSpace();
    await connect(host, spaceId);
    const track = await publishMic(host, spaceId);
    const [first] = await until(() => mediaAdapters(spaceId), (list) => list.some((a) => a.adapterId !== null));
    const [dial] = await until(() => dialled(spaceId), (list) => list.length > 0);
    const listener = await connect(await signup(), spaceId);

    const socket = await openAdapterSocket(spaceId, dial!.token);
    await until(() => mediaAdapters(spaceId), (list) => list[0]?.connected === true);
    await drop(spaceId, socket);

    // No redial: past the window the old adapter is closed at the SFU and a new one dials with a new token.
    const connections = await until(() => dialled(spaceId), (list) => list.length === 2 && !list[0]!.open, REOPEN_WAIT_MS);
    const [second] = await until(() => mediaAdapters(spaceId), (list) => list[0]?.adapterId !== null && list[0]?.adapterId !== first!.adapterId);
    expect(second).toMatchObject({ userId: host.id, track, state: "open" });
    const fresh = connections[1]!.token;
    expect(fresh).not.toBe(dial!.token);
    expect(await verifyAdapterToken(env.SESSION_SECRET, fresh, spaceId)).toMatchObject({ spaceId, userId: host.id, track });
    // A late redial of the old adapter is refused: only the new one feeds the track.
    expect((await adapterUpgrade(spaceId, dial!.token)).status).toBe(403);

    const again = await openAdapterSocket(spaceId, fresh);
    for (const packet of await speechPackets()) again.send(packet);
    const caption = (await listener.next("caption", (c) => c.final && wordsHeard(c.text) >= 3, SPEECH_WAIT_MS)) as CaptionMessage;
    expect(caption).toMatchObject({ speakerId: host.id, handle: host.handle, final: true });
    again.close(1000, "done");
  }, SPEECH_WAIT_MS + 2 * REOPEN_WAIT_MS);

  it("notices after a reset of the media object (no close event then) that the SFU never redialled, and replaces the adapter", async () => {
    const { host, spaceId } = await liveSpace();
    await connect(host, spaceId);
    const track = await publishMic(host, spaceId);
    const [first] = await until(() => mediaAdapters(spaceId), (list) => list.some((a) => a.adapterId !== null));
    const [dial] = await until(() => dialled(spaceId), (list) => list.length > 0);
    const socket = await openAdapterSocket(spaceId, dial!.token);
    for (const packet of silencePackets(1000)) socket.send(packet);
    await until(() => mediaAdapters(spaceId), (list) => list[0]?.connected === true);

    const dropped = new Promise((resolve) => socket.addEventListener("close", resolve));
    const reset = runInDurableObject(mediaFor(env, spaceId), (_media, state) => state.abort("reset, the SFU does not get back in"));
    await expect(reset).rejects.toThrow("reset, the SFU does not get back in");
    await dropped;

    // Nothing but the object's own alarm wakes it here (the recorder is asked, not the object).
    const connections = await until(() => dialled(spaceId), (list) => list.length === 2 && !list[0]!.open, REOPEN_WAIT_MS);
    const [second] = await until(() => mediaAdapters(spaceId), (list) => list[0]?.adapterId !== null && list[0]?.adapterId !== first!.adapterId);
    expect(second).toMatchObject({ userId: host.id, track, state: "open" });
    expect((await adapterUpgrade(spaceId, dial!.token)).status).toBe(403);
    const again = await openAdapterSocket(spaceId, connections[1]!.token);
    again.close(1000, "done");
  }, 3 * REOPEN_WAIT_MS);

  it("keeps recording through the new adapter: its tone reaches the stored parts", async () => {
    // Nothing audible goes through the first adapter, so a tone in a part can only have come through the new one.
    const { spaceId, socket } = await recordedSpace({ captions: false });
    const [before] = await mediaAdapters(spaceId);
    await drop(spaceId, socket);

    const connections = await until(() => dialled(spaceId), (list) => list.length === 2, REOPEN_WAIT_MS);
    await until(() => mediaAdapters(spaceId), (list) => list[0]?.adapterId !== null && list[0]?.adapterId !== before!.adapterId);
    const again = await openAdapterSocket(spaceId, connections[1]!.token);
    for (const packet of tonePackets(10_000)) again.send(packet);
    const toned = await until(async () => (await Promise.all((await partKeys(spaceId)).map(loudestPacket))), (sizes) => sizes.some((n) => n > SILENT_PACKET_MAX), 30_000);
    expect(Math.max(...toned)).toBeGreaterThan(SILENT_PACKET_MAX);
    again.close(1000, "done");
  }, 3 * REOPEN_WAIT_MS);

  it("backs off while Calls refuses the new adapter, ends in a failed state with no more tries, and reopens on a new publish", async () => {
    const { host, spaceId } = await liveSpace();
    await connect(host, spaceId);
    const listener = await connect(await signup(), spaceId);
    const track = await publishMic(host, spaceId);
    await until(() => mediaAdapters(spaceId), (list) => list.some((a) => a.adapterId !== null));
    const [dial] = await until(() => dialled(spaceId), (list) => list.length > 0);
    const socket = await openAdapterSocket(spaceId, dial!.token);
    await until(() => mediaAdapters(spaceId), (list) => list[0]?.connected === true);
    // The track goes at the SFU behind the room's back (the room still lists it), so every new adapter is refused.
    const closed = await sfu.closeTracks(track.sessionId, { tracks: [{ mid: PUBLISH_MID }], force: true });
    expect(closed.ok).toBe(true);
    await drop(spaceId, socket);

    const reopening = await until(() => mediaAdapters(spaceId), (list) => list[0]?.state === "reopening" && list[0]?.adapterId === null, REOPEN_WAIT_MS);
    expect(reopening).toMatchObject([{ userId: host.id, track }]);
    // Retries back off, then stop: the adapter is marked failed (what the room can show), and nothing dialled.
    const failed = await until(() => mediaAdapters(spaceId), (list) => list[0]?.state === "failed", 2 * REOPEN_WAIT_MS);
    expect(failed).toMatchObject([{ userId: host.id, track, adapterId: null, connected: false }]);
    expect(await dialled(spaceId)).toHaveLength(1);
    // Everyone is told that this speaker's track is not heard any more.
    const lost = await listener.next("update", (u) => u.participants?.some((p) => p.userId === host.id && p.captionsLost === true) === true, REOPEN_WAIT_MS);
    expect(lost.participants?.find((p) => p.userId === host.id)).toMatchObject({ track, captionsLost: true });

    // The speaker publishes again: the room opens an adapter for the new track and it streams.
    const republished = await publishMic(host, spaceId);
    const [fresh] = await until(() => mediaAdapters(spaceId), (list) => list[0]?.adapterId !== null && list[0]?.track.sessionId === republished.sessionId, REOPEN_WAIT_MS);
    expect(fresh).toMatchObject({ userId: host.id, track: republished, state: "open" });
    const connections = await until(() => dialled(spaceId), (list) => list.length === 2);
    expect(connections[1]!.token).not.toBe(dial!.token);
    // The new track is heard again: the mark is gone from the speaker.
    const back = await listener.next("update", (u) => u.participants?.some((p) => p.userId === host.id && p.track?.sessionId === republished.sessionId) === true, REOPEN_WAIT_MS);
    expect(back.participants?.find((p) => p.userId === host.id)?.captionsLost).toBeUndefined();
  }, 4 * REOPEN_WAIT_MS);
});
