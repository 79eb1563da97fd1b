// After a recorded Space ends: the replay (JSON and audio with Range → 206), clips (own R2 object, ≤ 60 s, boundaries
// cut from the Ogg Opus packets), tickets (a non-holder gets nothing), the host's delete and retention (R2 objects gone).
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runScheduled } from "../../worker/cron.ts";
import { demuxOggOpus, oggOpusDurationMs } from "../../worker/media/recording/ogg-opus.ts";
import { ORIGIN, signup } from "./helpers.ts";
import { recordAndEnd, r2Keys, recordedSpace, tonePackets, partKeys } from "./recording-helpers.ts";
import { until } from "./captions-helpers.ts";

const DAY = 86_400_000;

describe("replay", () => {
  it("gives the replay and its audio; Range answers 206 with the right bytes and type", async () => {
    const { spaceId, host } = await recordAndEnd();
    const listener = await signup();
    const listed = await listener.call("GET", `/api/users/${host.handle}/replays`);
    expect(listed.json.replays.map((r: { spaceId: string }) => r.spaceId)).toEqual([spaceId]);
    const replay = await listener.call("GET", `/api/spaces/${spaceId}/replay`);
    expect(replay.status).toBe(200);
    expect(replay.json).toMatchObject({ audioUrl: `/api/spaces/${spaceId}/replay/audio`, segments: [], reactions: [] });
    expect(replay.json.durationMs).toBeGreaterThanOrEqual(8_000);

    const whole = await SELF.fetch(`${ORIGIN}${replay.json.audioUrl}`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-type")).toBe("audio/ogg");
    const bytes = new Uint8Array(await whole.arrayBuffer());
    // One logical Ogg Opus stream: 20 ms packets over the whole stated length, its last granule the same length.
    expect(demuxOggOpus(bytes)?.packets).toHaveLength(replay.json.durationMs / 20);
    expect(Math.abs(oggOpusDurationMs(bytes) - replay.json.durationMs)).toBeLessThanOrEqual(20);

    const part = await SELF.fetch(`${ORIGIN}${replay.json.audioUrl}`, { headers: { Range: "bytes=100-1099" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 100-1099/${bytes.byteLength}`);
    expect(part.headers.get("content-type")).toBe("audio/ogg");
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.slice(100, 1100));
    const beyond = await SELF.fetch(`${ORIGIN}${replay.json.audioUrl}`, { headers: { Range: `bytes=${bytes.byteLength + 10}-` } });
    expect(beyond.status).toBe(416);

    const none = await listener.call("GET", `/api/spaces/${(await recordedSpace()).spaceId}/replay`);
    expect([none.status, none.json.error.code]).toEqual([404, "no_recording"]);
  });

  it("makes a clip as its own object with the asked length; refuses over 60 s", async () => {
    const { spaceId } = await recordAndEnd();
    const listener = await signup();
    const tooLong = await listener.call("POST", `/api/spaces/${spaceId}/clips`, { startMs: 0, endMs: 61_000 });
    expect([tooLong.status, tooLong.json.error.code]).toEqual([400, "invalid_input"]);
    const made = await listener.call("POST", `/api/spaces/${spaceId}/clips`, { startMs: 2_000, endMs: 6_000 });
    expect(made.status).toBe(201);
    expect(made.json.clip.url).toBe(`/clips/${made.json.clip.id}`);
    const clip = await listener.call("GET", `/api/clips/${made.json.clip.id}`);
    expect(clip.json.clip).toMatchObject({ durationMs: 4_000 });
    const audio = new Uint8Array(await (await SELF.fetch(`${ORIGIN}${clip.json.clip.audioUrl}`)).arrayBuffer());
    expect(oggOpusDurationMs(audio)).toBe(4_000);
    expect(await env.MEDIA.head(`clips/${made.json.clip.id}.opus`)).not.toBeNull();
  });

  it("in a ticketed Space, a non-holder gets neither replay, audio nor a clip; the host does", async () => {
    const space = await recordedSpace({ body: { ticket: { priceCents: 1500, currency: "usd", capacity: 5 } } });
    for (const packet of tonePackets(6_000)) space.socket.send(packet);
    await until(() => partKeys(space.spaceId), (keys) => keys.length >= 1, 15_000);
    expect((await space.host.call("POST", `/api/spaces/${space.spaceId}/end`)).status).toBe(200);
    await until(() => space.host.call("GET", `/api/spaces/${space.spaceId}/replay`), (r) => r.status === 200, 15_000);
    const stranger = await signup();
    for (const path of ["replay", "replay/audio"]) {
      const res = await stranger.call("GET", `/api/spaces/${space.spaceId}/${path}`);
      expect([res.status, res.json.error.code]).toEqual([402, "ticket_required"]);
    }
    const clip = await stranger.call("POST", `/api/spaces/${space.spaceId}/clips`, { startMs: 0, endMs: 2_000 });
    expect(clip.status).toBe(402);
    const hostClip = await space.host.call("POST", `/api/spaces/${space.spaceId}/clips`, { startMs: 0, endMs: 2_000 });
    expect(hostClip.status).toBe(201);
    expect((await stranger.call("GET", `/api/clips/${hostClip.json.clip.id}`)).status).toBe(402);
  });

  it("the host deletes early, and retention deletes recordings and clips with their R2 objects", async () => {
    const early = await recordAndEnd(6_000);
    const ben = await signup();
    expect((await ben.call("DELETE", `/api/spaces/${early.spaceId}/recording`)).json.error.code).toBe("not_host");
    expect((await early.host.call("DELETE", `/api/spaces/${early.spaceId}/recording`)).status).toBe(200);
    expect(await r2Keys(early.spaceId)).toEqual([]);
    const gone = await ben.call("GET", `/api/spaces/${early.spaceId}/replay`);
    expect([gone.status, gone.json.error.code]).toEqual([410, "recording_deleted"]);

    const old = await recordAndEnd(6_000);
    const clip = await ben.call("POST", `/api/spaces/${old.spaceId}/clips`, { startMs: 0, endMs: 2_000 });
    expect(await r2Keys(old.spaceId)).toHaveLength(1);
    await runScheduled(env, Date.now() + 29 * DAY);
    expect(await r2Keys(old.spaceId)).toHaveLength(1);
    await runScheduled(env, Date.now() + 31 * DAY);
    expect(await r2Keys(old.spaceId)).toEqual([]);
    expect(await env.MEDIA.head(`clips/${clip.json.clip.id}.opus`)).toBeNull();
    expect((await ben.call("GET", `/api/clips/${clip.json.clip.id}`)).status).toBe(404);
    expect((await ben.call("GET", `/api/spaces/${old.spaceId}/replay`)).status).toBe(410);
  });
});
