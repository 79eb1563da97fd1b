// Transcripts: who may read them (ticketed Spaces: holders, host, stage), WebVTT escaping, and Spaces search finding
// ended Spaces by words said in them (FTS5 in local D1). Segments are written through the same db function the media
// object uses.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { db } from "../../worker/db/client.ts";
import { insertSegments } from "../../worker/db/transcripts.ts";
import { client, ORIGIN, signup } from "./helpers.ts";
import { liveSpace } from "./room-helpers.ts";
import { buyers, deliver, eventFor, pay, ticketedSpace, type Buyer } from "./ticket-helpers.ts";

async function buyTicket(buyer: Buyer, spaceId: string): Promise<void> {
  const url = (await buyer.call("POST", `/api/spaces/${spaceId}/checkout`)).json.url as string;
  await deliver(eventFor("checkout.session.completed", await pay(url)));
}

const segment = (spaceId: string, speakerId: string, handle: string, text: string, startMs: number) => ({
  spaceId, speakerId, handle, text, startMs, endMs: startMs + 1500,
});

describe("transcript access", () => {
  it("a free Space's transcript is public, in time order, as JSON and as escaped WebVTT", async () => {
    const { host, spaceId } = await liveSpace();
    await insertSegments(db(env), [
      segment(spaceId, host.id, host.handle, "second <b>line</b> & more --> here", 4_000),
      segment(spaceId, host.id, host.handle, "first line", 1_000),
    ]);
    const res = await client().call("GET", `/api/spaces/${spaceId}/transcript`);
    expect(res.status).toBe(200);
    expect(res.json.segments.map((s: { text: string; startMs: number }) => [s.startMs, s.text])).toEqual([
      [1_000, "first line"],
      [4_000, "second <b>line</b> & more --> here"],
    ]);
    const vtt = await (await SELF.fetch(`${ORIGIN}/api/spaces/${spaceId}/transcript.vtt`)).text();
    expect(vtt).toBe(
      `WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\n<v ${host.handle}>first line\n\n` +
        `2\n00:00:04.000 --> 00:00:05.500\n<v ${host.handle}>second &lt;b&gt;line&lt;/b&gt; &amp; more --&gt; here\n`,
    );
  });

  it("a ticketed Space's transcript is for ticket holders, the host and who spoke; others get ticket_required", async () => {
    const { host, space } = await ticketedSpace(3);
    const [holder, stranger, speaker] = await buyers(3);
    await buyTicket(holder!, space.id);
    expect((await host.call("POST", `/api/spaces/${space.id}/start`)).status).toBe(200);
    await insertSegments(db(env), [segment(space.id, speaker!.id, "guest", "paid words", 2_000)]);
    const path = `/api/spaces/${space.id}/transcript`;

    for (const reader of [host, holder!, speaker!]) expect((await reader.call("GET", path)).json.segments).toHaveLength(1);
    const refused = await stranger!.call("GET", path);
    expect([refused.status, refused.json.error.code]).toEqual([402, "ticket_required"]);
    expect((await stranger!.call("GET", `${path.replace("transcript", "transcript.vtt")}`)).status).toBe(402);
    expect((await client().call("GET", path)).status).toBe(401);
  });

  it("answers 404 for a Space that does not exist", async () => {
    const res = await client().call("GET", "/api/spaces/nosuchspace1/transcript");
    expect([res.status, res.json.error.code]).toEqual([404, "not_found"]);
  });
});

describe("search by words said", () => {
  it("finds an ended Space by a word from its transcript, not by words never said, and not when asking for live ones", async () => {
    const { host, spaceId } = await liveSpace({ title: "Morning chat" });
    const word = `quokka${Date.now().toString(36)}`;
    await insertSegments(db(env), [segment(spaceId, host.id, host.handle, `today we talk about the ${word} and the music`, 3_000)]);
    expect((await host.call("POST", `/api/spaces/${spaceId}/end`)).status).toBe(200);
    const viewer = await signup();

    const found = await viewer.call("GET", `/api/spaces?q=${encodeURIComponent(word.toUpperCase())}`);
    expect(found.status).toBe(200);
    expect(found.json.spaces.map((s: { id: string; state: string }) => [s.id, s.state])).toEqual([[spaceId, "ended"]]);
    const twoWords = await viewer.call("GET", `/api/spaces?q=${encodeURIComponent(`music ${word}`)}`);
    expect(twoWords.json.spaces.map((s: { id: string }) => s.id)).toContain(spaceId);
    expect((await viewer.call("GET", `/api/spaces?q=${encodeURIComponent(`${word} neverwordsaid`)}`)).json.spaces).toEqual([]);
    expect((await viewer.call("GET", `/api/spaces?state=live&q=${word}`)).json.spaces).toEqual([]);
    // FTS5 operators and quotes in what people type are words, never syntax.
    const odd = await viewer.call("GET", `/api/spaces?q=${encodeURIComponent(`"${word}"* ^(-:`)}`);
    expect(odd.status).toBe(200);
    expect(odd.json.spaces.map((s: { id: string }) => s.id)).toEqual([spaceId]);
  });
});
