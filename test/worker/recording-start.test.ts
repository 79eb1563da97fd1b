// Recording switched on before a Space starts (draft or scheduled): the choice is stored and shown to everyone, the
// room records from its start, turning it off again before the start sticks, and an ended Space refuses the switch.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { host, ORIGIN, signup } from "./helpers.ts";
import { dialled, mediaAdapters, publishMic, until } from "./captions-helpers.ts";
import { connect } from "./room-helpers.ts";
import { adapterUpgrade, partKeys, setRecording, tonePackets } from "./recording-helpers.ts";

async function draftSpace(body: Record<string, unknown> = {}) {
  const h = await host();
  const created = await h.call("POST", "/api/spaces", { title: "Recorded from the start", ...body });
  if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.json)}`);
  return { host: h, spaceId: created.json.space.id as string };
}

describe("recording before the start", () => {
  it("is stored, shown to everyone, and the room records from its start", async () => {
    const { host, spaceId } = await draftSpace();
    const ben = await signup();
    expect((await ben.call("GET", `/api/spaces/${spaceId}`)).json.space.recordOnStart).toBe(false);

    const refused = await setRecording(ben, spaceId, true);
    expect([refused.status, refused.json.error.code]).toEqual([403, "not_host"]);
    const on = await setRecording(host, spaceId, true);
    expect([on.status, on.json]).toEqual([200, { recording: true }]);
    expect((await ben.call("GET", `/api/spaces/${spaceId}`)).json.space.recordOnStart).toBe(true);

    const started = await host.call("POST", `/api/spaces/${spaceId}/start`);
    expect(started.status).toBe(200);
    const startedAt = Date.parse(started.json.space.startedAt);
    const benSocket = await connect(ben, spaceId);
    expect(benSocket.snapshot.recording).toBe(true);

    // The host's track gets an adapter for the recorder without anyone switching anything in the room.
    await connect(host, spaceId);
    await publishMic(host, spaceId);
    await until(() => mediaAdapters(spaceId), (list) => list.some((a) => a.adapterId !== null));
    const [connection] = await until(() => dialled(spaceId), (list) => list.length > 0);
    const upgraded = await adapterUpgrade(spaceId, connection!.token);
    expect(upgraded.status).toBe(101);
    const socket = upgraded.webSocket!;
    socket.accept();
    const firstPacketAtMs = Date.now() - startedAt;
    for (const packet of tonePackets(6_000)) socket.send(packet);
    await until(() => partKeys(spaceId), (keys) => keys.length >= 1, 15_000);

    expect((await host.call("POST", `/api/spaces/${spaceId}/end`)).status).toBe(200);
    const replay = await until(() => ben.call("GET", `/api/spaces/${spaceId}/replay`), (r) => r.status === 200, 15_000);
    // The recorder was running before the first sound: the replay begins no later than it, and holds all of it.
    expect(replay.json.offsetMs).toBeLessThanOrEqual(firstPacketAtMs);
    expect(replay.json.offsetMs + replay.json.durationMs).toBeGreaterThanOrEqual(firstPacketAtMs + 6_000);
    const audio = await SELF.fetch(`${ORIGIN}${replay.json.audioUrl}`);
    expect(audio.status).toBe(200);
    expect(audio.headers.get("content-type")).toMatch(/^audio\//);
  });

  it("turned off again before the start, the room starts without recording", async () => {
    const { host, spaceId } = await draftSpace({ scheduledFor: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await setRecording(host, spaceId, true)).status).toBe(200);
    expect((await setRecording(host, spaceId, false)).json).toEqual({ recording: false });
    expect((await host.call("POST", `/api/spaces/${spaceId}/start`)).json.space.recordOnStart).toBe(false);
    expect((await connect(await signup(), spaceId)).snapshot.recording).toBe(false);
  });

  it("refuses the switch once the Space has ended, and bad input, in the contract's shape", async () => {
    const { host, spaceId } = await draftSpace();
    const bad = await host.call("POST", `/api/spaces/${spaceId}/recording`, { on: 1 });
    expect([bad.status, bad.json.error.code]).toEqual([400, "invalid_input"]);
    expect((await host.call("POST", `/api/spaces/${spaceId}/start`)).status).toBe(200);
    expect((await host.call("POST", `/api/spaces/${spaceId}/end`)).status).toBe(200);
    const late = await setRecording(host, spaceId, true);
    expect([late.status, late.json.error.code]).toEqual([409, "space_ended"]);
    const missing = await setRecording(host, crypto.randomUUID(), true);
    expect([missing.status, missing.json.error.code]).toEqual([404, "not_found"]);
  });
});
