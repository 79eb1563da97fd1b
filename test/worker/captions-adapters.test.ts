// The stage decides which tracks the media object hears: against the real SFU stand-in, a speaker's published track
// gets a WebSocket adapter that dials our endpoint with a Space-bound token; demotion, the captions switch and the end
// close it (the SFU's adapter socket closes too); a mute keeps it.
import { env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { verifyAdapterToken } from "../../worker/media/adapter-token.ts";
import { signup } from "./helpers.ts";
import { dialled, makeSpeaker, mediaAdapters, publishMic, until } from "./captions-helpers.ts";
import { connect, liveSpace } from "./room-helpers.ts";
import { roomFor } from "../../worker/space/space-room.ts";

describe("caption adapters follow the stage", () => {
  it("opens an adapter when the host publishes; the SFU dials the media endpoint with a token for this Space and track", async () => {
    const { host, spaceId } = await liveSpace();
    const hostSocket = await connect(host, spaceId);
    expect(hostSocket.snapshot.captions).toBe("on");
    const track = await publishMic(host, spaceId);

    const adapters = await until(() => mediaAdapters(spaceId), (list) => list.some((a) => a.adapterId !== null));
    expect(adapters).toEqual([{ userId: host.id, track, adapterId: expect.any(String), connected: false, state: "open" }]);
    const [connection] = await until(() => dialled(spaceId), (list) => list.length > 0);
    expect(connection?.open).toBe(true);
    expect(await verifyAdapterToken(env.SESSION_SECRET, connection!.token, spaceId)).toMatchObject({ spaceId, userId: host.id, track });
  });

  it("closes a demoted speaker's adapter at the SFU, and keeps a muted speaker's", async () => {
    const { host, spaceId } = await liveSpace();
    const hostSocket = await connect(host, spaceId);
    const ana = await signup();
    const anaSocket = await connect(ana, spaceId);
    await makeSpeaker(hostSocket, anaSocket, ana.id);
    const track = await publishMic(ana, spaceId);
    await until(() => mediaAdapters(spaceId), (list) => list.some((a) => a.userId === ana.id && a.adapterId !== null));
    await until(() => dialled(spaceId), (list) => list.length === 1);

    hostSocket.send({ type: "mute", userId: ana.id });
    await anaSocket.next("update", (u) => u.you?.muted === true);
    expect((await mediaAdapters(spaceId)).map((a) => [a.userId, a.track])).toEqual([[ana.id, track]]);
    expect((await dialled(spaceId))[0]?.open).toBe(true);

    hostSocket.send({ type: "set_role", userId: ana.id, role: "listener" });
    expect(await until(() => mediaAdapters(spaceId), (list) => list.length === 0)).toEqual([]);
    expect((await until(() => dialled(spaceId), (list) => list[0]?.open === false))[0]?.open).toBe(false);
  });

  it("turns captions off for everyone (adapters closed) and on again (adapters reopened); only managers may", async () => {
    const { host, spaceId } = await liveSpace();
    const hostSocket = await connect(host, spaceId);
    const ben = await signup();
    const benSocket = await connect(ben, spaceId);
    await publishMic(host, spaceId);
    await until(() => mediaAdapters(spaceId), (list) => list.some((a) => a.adapterId !== null));

    benSocket.send({ type: "set_captions", on: false });
    expect((await benSocket.next("error")).code).toBe("forbidden");

    hostSocket.send({ type: "set_captions", on: false });
    expect((await benSocket.next("update", (u) => u.captions !== undefined)).captions).toBe("off");
    expect(await until(() => mediaAdapters(spaceId), (list) => list.length === 0)).toEqual([]);
    expect((await until(() => dialled(spaceId), (list) => list.every((c) => !c.open))).every((c) => !c.open)).toBe(true);
    // The switch is stored with the room: it holds after the room object is evicted.
    await evictDurableObject(roomFor(env, spaceId));
    const later = await connect(await signup(), spaceId);
    expect(later.snapshot.captions).toBe("off");

    hostSocket.send({ type: "set_captions", on: true });
    expect((await benSocket.next("update", (u) => u.captions !== undefined)).captions).toBe("on");
    const reopened = await until(() => dialled(spaceId), (list) => list.length === 2 && list[1]!.open);
    expect(reopened.map((c) => c.open)).toEqual([false, true]);
  });

  it("closes every adapter when the Space ends", async () => {
    const { host, spaceId } = await liveSpace();
    await connect(host, spaceId);
    await publishMic(host, spaceId);
    await until(() => mediaAdapters(spaceId), (list) => list.some((a) => a.adapterId !== null));
    expect((await host.call("POST", `/api/spaces/${spaceId}/end`)).status).toBe(200);
    expect(await until(() => mediaAdapters(spaceId), (list) => list.length === 0)).toEqual([]);
    expect((await until(() => dialled(spaceId), (list) => list.every((c) => !c.open)))[0]?.open).toBe(false);
  });
});
