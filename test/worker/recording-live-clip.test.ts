// Clips of a live recorded Space: a listener clips its last ≤ 60 s (times on the Space's timeline) from the parts
// stored so far; the clip is its own object that outlives the replay; a part not stored yet, a start more than a
// minute back, and a Space not being recorded are refused in the contract's shape.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CHUNK_MS } from "../../worker/media/recording/mix.ts";
import { ORIGIN, signup } from "./helpers.ts";
import { until } from "./captions-helpers.ts";
import { liveSpace } from "./room-helpers.ts";
import { partKeys, recordedSpace, tonePackets } from "./recording-helpers.ts";

const chunkOfKey = (key: string) => Number(/(\d+)\.[a-z0-9]+$/.exec(key)![1]);

async function fetchAudio(url: string, headers: Record<string, string> = {}) {
  const res = await SELF.fetch(`${ORIGIN}${url}`, { headers });
  return { status: res.status, type: res.headers.get("content-type") ?? "", bytes: new Uint8Array(await res.arrayBuffer()) };
}

describe("clips of a live recorded Space", () => {
  it("a listener clips the last stretch; the clip plays, has its place in the Space, and outlives the replay", async () => {
    const { host, spaceId, socket } = await recordedSpace({ captions: false });
    for (const packet of tonePackets(12_000)) socket.send(packet);
    const stored = await until(() => partKeys(spaceId), (keys) => keys.length >= 2, 15_000);
    const first = Math.min(...stored.map(chunkOfKey));
    const startMs = first * CHUNK_MS + 1_000;
    const endMs = startMs + 4_000;

    const listener = await signup();
    const made = await listener.call("POST", `/api/spaces/${spaceId}/clips`, { startMs, endMs });
    expect(made.status).toBe(201);
    const clip = await listener.call("GET", `/api/clips/${made.json.clip.id}`);
    expect(clip.status).toBe(200);
    expect(clip.json.clip).toMatchObject({ startMs, endMs, durationMs: 4_000, url: `/clips/${made.json.clip.id}` });
    const audio = await fetchAudio(clip.json.clip.audioUrl);
    expect(audio.status).toBe(200);
    expect(audio.type).toMatch(/^audio\//);
    expect(audio.bytes.byteLength).toBeGreaterThan(1_000);
    const part = await fetchAudio(clip.json.clip.audioUrl, { Range: "bytes=0-99" });
    expect([part.status, part.bytes.byteLength]).toEqual([206, 100]);

    // "The last 50 s" asked now holds only what is stored: the clip ends where the stored parts do, and says so.
    const storedEndMs = (Math.max(...stored.map(chunkOfKey)) + 1) * CHUNK_MS;
    const past = await listener.call("POST", `/api/spaces/${spaceId}/clips`, { startMs, endMs: startMs + 50_000 });
    expect(past.status).toBe(201);
    const pastClip = await listener.call("GET", `/api/clips/${past.json.clip.id}`);
    expect(pastClip.json.clip.startMs).toBe(startMs);
    // Less the encoder's pre-skip (a few ms): the parts' audio ends that much before their chunk's edge.
    expect(pastClip.json.clip.endMs).toBeGreaterThanOrEqual(storedEndMs - 20);
    expect(Number.isInteger(pastClip.json.clip.endMs)).toBe(true);
    expect(pastClip.json.clip.endMs).toBeLessThan(startMs + 50_000);

    // Later than anything stored: not ready yet, said so, not a crash.
    const ahead = (Math.max(...stored.map(chunkOfKey)) + 20) * CHUNK_MS;
    const early = await listener.call("POST", `/api/spaces/${spaceId}/clips`, { startMs: ahead, endMs: ahead + 2_000 });
    expect([early.status, early.json.error.code]).toEqual([409, "clip_not_ready"]);
    const tooLong = await listener.call("POST", `/api/spaces/${spaceId}/clips`, { startMs, endMs: startMs + 60_001 });
    expect([tooLong.status, tooLong.json.error.code]).toEqual([400, "invalid_input"]);

    // The replay goes (the host deletes it); the clip, its own object, still plays.
    expect((await host.call("POST", `/api/spaces/${spaceId}/end`)).status).toBe(200);
    await until(() => host.call("GET", `/api/spaces/${spaceId}/replay`), (r) => r.status === 200, 15_000);
    expect((await host.call("DELETE", `/api/spaces/${spaceId}/recording`)).status).toBe(200);
    const after = await fetchAudio(clip.json.clip.audioUrl);
    expect([after.status, after.bytes]).toEqual([200, audio.bytes]);
  });

  // 70 s of audio to encode into parts: minutes of CPU on a loaded machine, so more time than the file default.
  it("refuses a start more than a minute before the stored end of a live Space", { timeout: 240_000 }, async () => {
    const { spaceId, socket } = await recordedSpace({ captions: false });
    // 70 s of audio arrive at once (a track's own clock places them): parts up to ~70 s into the Space are stored.
    for (const packet of tonePackets(70_000)) socket.send(packet);
    const stored = await until(() => partKeys(spaceId), (keys) => keys.length >= 17, 200_000);
    const first = Math.min(...stored.map(chunkOfKey));
    const listener = await signup();
    const stale = await listener.call("POST", `/api/spaces/${spaceId}/clips`, { startMs: first * CHUNK_MS, endMs: first * CHUNK_MS + 5_000 });
    expect([stale.status, stale.json.error.code]).toEqual([400, "invalid_input"]);
    expect(stale.json.error.message).toMatch(/last 60 s/);
    const lastStart = Math.max(...stored.map(chunkOfKey)) * CHUNK_MS - 10_000;
    const recent = await listener.call("POST", `/api/spaces/${spaceId}/clips`, { startMs: lastStart, endMs: lastStart + 5_000 });
    expect(recent.status).toBe(201);
  });

  it("a live Space that is not being recorded has nothing to clip", async () => {
    const { spaceId } = await liveSpace();
    const listener = await signup();
    const none = await listener.call("POST", `/api/spaces/${spaceId}/clips`, { startMs: 0, endMs: 2_000 });
    expect([none.status, none.json.error.code]).toEqual([404, "no_recording"]);
  });
});
