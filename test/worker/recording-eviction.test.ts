// Evicting the media object mid-recording: what was sent before the eviction is in R2 except at most the chunk being
// filled (≤ 5 s), and after the SFU's redial the recording goes on into the same replay: one Ogg Opus stream across
// the restarted encoder.
import { env, evictDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { mediaFor } from "../../worker/media/space-media.ts";
import { CHUNK_MS } from "../../worker/media/recording/mix.ts";
import { demuxOggOpus } from "../../worker/media/recording/ogg-opus.ts";
import { ORIGIN } from "./helpers.ts";
import { until } from "./captions-helpers.ts";
import { adapterUpgrade, partKeys, recordedSpace, tonePackets } from "./recording-helpers.ts";

const chunkOfKey = (key: string) => Number(/(\d+)\.opus$/.exec(key)![1]);

describe("recording survives an eviction of the media object", () => {
  it("loses at most 5 s and keeps recording after the SFU redials", async () => {
    const { host, spaceId, socket, token } = await recordedSpace({ captions: false });
    const space = (await host.call("GET", `/api/spaces/${spaceId}`)).json.space;
    const sentFromMs = Date.now() - Date.parse(space.startedAt);
    for (const packet of tonePackets(10_000)) socket.send(packet);
    const sentUntilMs = sentFromMs + 10_000;
    // Every chunk that ended before the last packet (less its lateness allowance) reaches R2 without further input.
    const stored = await until(() => partKeys(spaceId), (keys) => keys.length >= Math.floor((sentUntilMs - 400) / CHUNK_MS), 15_000);
    const storedUntilMs = (Math.max(...stored.map(chunkOfKey)) + 1) * CHUNK_MS;

    await evictDurableObject(mediaFor(env, spaceId), { webSockets: "close" });
    // What was sent but not stored is all an eviction can take.
    expect(sentUntilMs - storedUntilMs).toBeLessThanOrEqual(5_000);
    expect((await partKeys(spaceId)).sort()).toEqual(stored.sort());

    const again = await adapterUpgrade(spaceId, token);
    expect(again.status).toBe(101);
    const redialled = again.webSocket!;
    redialled.accept();
    for (const packet of tonePackets(10_000, 501)) redialled.send(packet);
    const after = await until(() => partKeys(spaceId), (keys) => keys.length > stored.length, 15_000);
    expect(Math.max(...after.map(chunkOfKey))).toBeGreaterThan(Math.max(...stored.map(chunkOfKey)));

    expect((await host.call("POST", `/api/spaces/${spaceId}/end`)).status).toBe(200);
    const replay = await until(() => host.call("GET", `/api/spaces/${spaceId}/replay`), (r) => r.status === 200, 15_000);
    expect(replay.json.durationMs).toBeGreaterThanOrEqual(storedUntilMs);
    const audio = new Uint8Array(await (await SELF.fetch(`${ORIGIN}${replay.json.audioUrl}`)).arrayBuffer());
    // Parts from both encoders (and silence for the lost chunk) in one readable stream of 20 ms packets.
    expect(demuxOggOpus(audio)?.packets).toHaveLength(replay.json.durationMs / 20);
  });
});
