// Taking the media object down while a speaker's recogniser stream is open (mid-sentence): the SFU's redial with the
// same URL is let in, a new recogniser stream opens, and captions resume later on the Space's timeline than what was
// captioned before. Finals relayed before it stay in the transcript exactly once; only the sentence being spoken then
// (not final yet) may be lost.
// The runtime does not evict an object with an open outbound socket: evictDurableObject waits and fails with "Timed out
// waiting to evict Durable Object: it still has active references". What takes it down with the stream open is a reset
// (a deploy, a crash, an exceeded limit), so that is what this test does, with ctx.abort().
// Packets here arrive much faster than real time (as a burst of buffered audio would), so the track's audio clock runs
// ahead of the wall clock: LEAD_MS of silence before the first sentence puts it far ahead whatever the machine's load.
// Before the media object kept each track's place on the timeline in storage, the new stream restarted at the wall
// clock, so the sentence after the reset was stamped before the one captioned earlier (and sorted before it).
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { mediaFor } from "../../worker/media/space-media.ts";
import type { CaptionMessage } from "../../worker/protocol/room.ts";
import { signup } from "./helpers.ts";
import { dialled, mediaAdapters, publishMic, silencePackets, speechPackets, until, wordsHeard } from "./captions-helpers.ts";
import { openAdapterSocket } from "./recording-helpers.ts";
import { connect, liveSpace } from "./room-helpers.ts";

/** pocketsphinx on a busy shared machine can take many seconds per sentence: wait for the event, however long. */
const SPEECH_WAIT_MS = 80_000;
const LEAD_MS = 45_000;

describe("captions survive a reset of the media object with a recogniser stream open", () => {
  it("resumes after the SFU's redial, later on the timeline, and keeps every final relayed before it", async () => {
    const { host, spaceId } = await liveSpace();
    await connect(host, spaceId);
    await publishMic(host, spaceId);
    await until(() => mediaAdapters(spaceId), (list) => list.some((a) => a.adapterId !== null));
    const [connection] = await until(() => dialled(spaceId), (list) => list.length > 0);
    const token = connection!.token;
    const listener = await connect(await signup(), spaceId);
    const lead = silencePackets(LEAD_MS);
    const speech = await speechPackets(2000, lead.length + 1);
    let seq = lead.length + speech.length + 1;

    // A first sentence, captioned and stored before anything goes wrong.
    const first = await openAdapterSocket(spaceId, token);
    for (const packet of [...lead, ...speech]) first.send(packet);
    const before = (await listener.next("caption", (c) => c.final, SPEECH_WAIT_MS)) as CaptionMessage;
    expect(wordsHeard(before.text)).toBeGreaterThanOrEqual(3);
    expect(before.endMs).toBeGreaterThan(LEAD_MS);
    await until(() => host.call("GET", `/api/spaces/${spaceId}/transcript`), (res) => res.json.segments?.length > 0, SPEECH_WAIT_MS);

    // The speaker starts the sentence again: once an interim shows the recogniser is hearing it, the object is reset.
    // Without the trailing silence that ends an utterance, these words are not final yet: this is what may be lost.
    const opening = (await speechPackets(0, seq)).slice(0, 80);
    seq += opening.length;
    for (const packet of opening) first.send(packet);
    await listener.next("caption", (c) => !c.final, SPEECH_WAIT_MS);
    const dropped = new Promise((resolve) => first.addEventListener("close", resolve));
    const reset = runInDurableObject(mediaFor(env, spaceId), (_media, state) => state.abort("reset with the recogniser stream open"));
    await expect(reset).rejects.toThrow("reset with the recogniser stream open");
    await dropped;

    // The SFU redials the same URL within its 5 s window and goes on numbering; the whole sentence is captioned again.
    // Only a caption that came after the reset counts (not one the old stream may have sent just before it).
    const afterReset = listener.frames.length;
    const again = await openAdapterSocket(spaceId, token);
    for (const packet of await speechPackets(2000, seq)) again.send(packet);
    const after = (await listener.next(
      "caption",
      (c) => c.final && wordsHeard(c.text) >= 3 && listener.frames.indexOf(c) >= afterReset,
      SPEECH_WAIT_MS,
    )) as CaptionMessage;
    expect(after).toMatchObject({ speakerId: host.id, handle: host.handle, final: true });
    // Not before the sentence captioned before the reset on the Space's timeline (a stream's first utterance starts
    // where the stream does, which is at best exactly where that final ended).
    expect(after.startMs).toBeGreaterThanOrEqual(before.endMs);
    expect(await mediaAdapters(spaceId)).toMatchObject([{ userId: host.id, connected: true }]);
    again.close(1000, "done");

    // The transcript has the sentence from before the reset exactly once, then the one after it.
    const transcript = await until(
      () => host.call("GET", `/api/spaces/${spaceId}/transcript`),
      (res) => (res.json.segments as { startMs: number }[] | undefined)?.some((s) => s.startMs === after.startMs) === true,
      SPEECH_WAIT_MS,
    );
    const segments = transcript.json.segments as { text: string; startMs: number; endMs: number }[];
    expect(segments.filter((s) => s.startMs === before.startMs && s.text === before.text)).toHaveLength(1);
    expect(segments.filter((s) => s.startMs === after.startMs && s.text === after.text)).toHaveLength(1);
    expect(segments.findIndex((s) => s.startMs === before.startMs)).toBeLessThan(segments.findIndex((s) => s.startMs === after.startMs));
  }, 3 * SPEECH_WAIT_MS);
});
