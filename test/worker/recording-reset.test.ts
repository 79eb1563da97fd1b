// A reset of the media object (ctx.abort(): a deploy, a crash) mid-recording with captions on, so a recogniser stream
// is open (which an eviction would wait for): after the SFU's redial the recorder keeps writing parts after those
// stored before, never over them, and the end joins both sides into one replay.
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { mediaFor } from "../../worker/media/space-media.ts";
import { CHUNK_MS } from "../../worker/media/recording/mix.ts";
import { demuxOggOpus } from "../../worker/media/recording/ogg-opus.ts";
import { ORIGIN } from "./helpers.ts";
import { until } from "./captions-helpers.ts";
import { adapterUpgrade, partKeys, recordedSpace, tonePackets } from "./recording-helpers.ts";

const chunkOfKey = (key: string) => Number(/(\d+)\.opus$/.exec(key)![1]);
const etags = async (keys: string[]) => Promise.all(keys.map(async (key) => (await env.MEDIA.head(key))?.etag));

describe("recording survives a reset of the media object with a recogniser stream open", () => {
  it("keeps writing after the SFU's redial, after the parts stored before, into one replay", async () => {
    const { host, spaceId, socket, token } = await recordedSpace();
    const first = tonePackets(10_000);
    for (const packet of first) socket.send(packet);
    // The first full chunk of the tone is stored (the audio is sent faster than real time, so more may follow).
    const stored = (await until(() => partKeys(spaceId), (keys) => keys.length >= 2, 30_000)).sort();
    const storedEtags = await etags(stored);

    const dropped = new Promise((resolve) => socket.addEventListener("close", resolve));
    const reset = runInDurableObject(mediaFor(env, spaceId), (_media, state) => state.abort("reset while recording"));
    await expect(reset).rejects.toThrow("reset while recording");
    await dropped;

    // The SFU redials the same URL and goes on numbering.
    const again = await adapterUpgrade(spaceId, token);
    expect(again.status).toBe(101);
    const redialled = again.webSocket!;
    redialled.accept();
    const lastBefore = Math.max(...(await partKeys(spaceId)).map(chunkOfKey));
    for (const packet of tonePackets(10_000, first.length + 1)) redialled.send(packet);
    const after = await until(() => partKeys(spaceId), (keys) => keys.some((key) => chunkOfKey(key) > lastBefore), 30_000);
    // What was stored before the reset is still there, untouched.
    expect(await etags(stored)).toEqual(storedEtags);

    expect((await host.call("POST", `/api/spaces/${spaceId}/end`)).status).toBe(200);
    const replay = await until(() => host.call("GET", `/api/spaces/${spaceId}/replay`), (r) => r.status === 200, 30_000);
    // From the first part stored before the reset to the last one written after it.
    expect(replay.json.offsetMs).toBe(chunkOfKey(stored[0]!) * CHUNK_MS);
    expect(replay.json.offsetMs + replay.json.durationMs).toBeGreaterThanOrEqual((Math.max(...after.map(chunkOfKey)) + 1) * CHUNK_MS);
    const audio = new Uint8Array(await (await SELF.fetch(`${ORIGIN}${replay.json.audioUrl}`)).arrayBuffer());
    // Parts from both encoders (and silence for what the reset took) in one readable stream of 20 ms packets.
    expect(demuxOggOpus(audio)?.packets).toHaveLength(replay.json.durationMs / 20);
  }, 120_000);
});
