// The media object's adapter endpoint: it refuses wrong, expired and other-Space tokens and tokens of closed adapters
// before the upgrade; with the token the SFU was given, speech sent as adapter packets comes back as caption frames
// to listeners and as a transcript (JSON and WebVTT), through the local pocketsphinx stand-in, also after a restart.
import { env, evictDurableObject, SELF } from "cloudflare:test";
import { mediaFor } from "../../worker/media/space-media.ts";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { ORIGIN, signup } from "./helpers.ts";
import { dialled, makeSpeaker, mediaAdapters, publishMic, speechPackets, until } from "./captions-helpers.ts";
import { connect, liveSpace } from "./room-helpers.ts";
import type { CaptionMessage } from "../../worker/protocol/room.ts";

/** pocketsphinx on a busy shared machine can take many seconds per sentence: wait for the event, however long. */
const SPEECH_WAIT_MS = 80_000;

const adapterUrl = (spaceId: string, token: string) => `${ORIGIN}/api/spaces/${spaceId}/media/adapter?token=${encodeURIComponent(token)}`;
const upgrade = (spaceId: string, token: string) => SELF.fetch(adapterUrl(spaceId, token), { headers: { Upgrade: "websocket" } });

/** A live Space whose host published; returns the token the SFU was given for the host's adapter. */
async function spaceWithAdapter() {
  const { host, spaceId } = await liveSpace();
  const hostSocket = await connect(host, spaceId);
  await publishMic(host, spaceId);
  await until(() => mediaAdapters(spaceId), (list) => list.some((a) => a.adapterId !== null));
  const [connection] = await until(() => dialled(spaceId), (list) => list.length > 0);
  return { host, hostSocket, spaceId, token: connection!.token };
}

async function errorOf(response: Response): Promise<[number, string]> {
  return [response.status, ((await response.json()) as { error: { code: string } }).error.code];
}

describe("adapter endpoint", () => {
  it("refuses a missing, forged, expired or other-Space token, and a plain GET, before any upgrade", async () => {
    const { spaceId, token } = await spaceWithAdapter();
    const other = await spaceWithAdapter();
    expect(await errorOf(await SELF.fetch(adapterUrl(spaceId, token)))).toEqual([426, "upgrade_required"]);
    expect(await errorOf(await upgrade(spaceId, ""))).toEqual([401, "invalid_token"]);
    expect(await errorOf(await upgrade(spaceId, `${token.slice(0, -4)}AAAA`))).toEqual([401, "invalid_token"]);
    expect(await errorOf(await upgrade(spaceId, other.token))).toEqual([401, "invalid_token"]);
    const payload = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
    const expired = await new SignJWT({ ...payload, exp: Math.floor(Date.now() / 1000) - 60 })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(env.SESSION_SECRET));
    expect(await errorOf(await upgrade(spaceId, expired))).toEqual([401, "invalid_token"]);
  });

  it("refuses the token of an adapter the room closed (a demoted speaker's SFU redial)", async () => {
    const { host, spaceId } = await liveSpace();
    const hostSocket = await connect(host, spaceId);
    const ana = await signup();
    const anaSocket = await connect(ana, spaceId);
    await makeSpeaker(hostSocket, anaSocket, ana.id);
    await publishMic(ana, spaceId);
    const [connection] = await until(() => dialled(spaceId), (list) => list.length > 0);
    hostSocket.send({ type: "set_role", userId: ana.id, role: "listener" });
    await until(() => mediaAdapters(spaceId), (list) => list.length === 0);
    expect(await errorOf(await upgrade(spaceId, connection!.token))).toEqual([403, "adapter_closed"]);
  });

  it("turns the speaker's audio into caption frames for listeners and a transcript with their handle", async () => {
    const { host, spaceId, token } = await spaceWithAdapter();
    const listener = await connect(await signup(), spaceId);
    const response = await upgrade(spaceId, token);
    expect(response.status).toBe(101);
    const socket = response.webSocket!;
    socket.accept();
    for (const packet of await speechPackets()) socket.send(packet);

    const final = (await listener.next("caption", (c) => c.final, SPEECH_WAIT_MS)) as CaptionMessage;
    expect(final).toMatchObject({ speakerId: host.id, handle: host.handle, final: true });
    expect(final.endMs).toBeGreaterThan(final.startMs);
    const heard = new Set(final.text.toLowerCase().split(/\W+/));
    // pocketsphinx hears this clip as "welcome to this case everyone today we loved about the weather in the music".
    expect(["welcome", "space", "everyone", "weather", "music"].filter((w) => heard.has(w)).length).toBeGreaterThanOrEqual(3);
    socket.close(1000, "done");

    const transcript = await until(
      () => host.call("GET", `/api/spaces/${spaceId}/transcript`),
      (res) => res.json.segments?.length > 0,
    );
    expect(transcript.json.segments[0]).toEqual({ speakerId: host.id, handle: host.handle, text: final.text, startMs: final.startMs, endMs: final.endMs });
    const vtt = await SELF.fetch(`${ORIGIN}/api/spaces/${spaceId}/transcript.vtt`);
    expect(vtt.headers.get("content-type")).toBe("text/vtt; charset=utf-8");
    const body = await vtt.text();
    expect(body.startsWith("WEBVTT\n\n1\n")).toBe(true);
    expect(body).toContain(`<v ${host.handle}>${final.text}`);
  }, SPEECH_WAIT_MS + 10_000);

  it("keeps captioning across a restart of the media object: the SFU's redial with the same URL is let in, state from storage", async () => {
    const { host, spaceId, token } = await spaceWithAdapter();
    const listener = await connect(await signup(), spaceId);
    const first = (await upgrade(spaceId, token)).webSocket!;
    first.accept();
    const closed = new Promise((resolve) => first.addEventListener("close", resolve));
    // A restart (deploy, eviction) drops every socket; the real SFU then redials the same URL for up to 5 s. (Evicted
    // before any audio: with a recogniser socket open, evictDurableObject does not return in the test runtime.)
    await evictDurableObject(mediaFor(env, spaceId), { webSockets: "close" });
    await closed;
    const again = await upgrade(spaceId, token);
    expect(again.status).toBe(101);
    const socket = again.webSocket!;
    socket.accept();
    for (const packet of await speechPackets()) socket.send(packet);
    const final = (await listener.next("caption", (c) => c.final, SPEECH_WAIT_MS)) as CaptionMessage;
    expect(final.speakerId).toBe(host.id);
    expect(final.text).toContain("everyone");
    socket.close(1000, "done");
  }, SPEECH_WAIT_MS + 10_000);
});
