// The recording switch: only the host flips it, everyone is told (snapshot and update, kept across an eviction of the
// room), adapters open for it even with captions off, and turning it off stops the capture (no new parts in R2).
import { env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { roomFor } from "../../worker/space/space-room.ts";
import { signup } from "./helpers.ts";
import { mediaAdapters, until } from "./captions-helpers.ts";
import { connect, liveSpace } from "./room-helpers.ts";
import { partKeys, recordedSpace, setRecording, tonePackets } from "./recording-helpers.ts";

describe("recording switch", () => {
  it("only the host may turn recording on; everyone sees it in update and snapshot", async () => {
    const { host, spaceId } = await liveSpace();
    const hostSocket = await connect(host, spaceId);
    const ben = await signup();
    const benSocket = await connect(ben, spaceId);
    expect(benSocket.snapshot.recording).toBe(false);

    const refused = await setRecording(ben, spaceId, true);
    expect([refused.status, refused.json.error.code]).toEqual([403, "not_host"]);
    const bad = await host.call("POST", `/api/spaces/${spaceId}/recording`, { on: "yes" });
    expect([bad.status, bad.json.error.code]).toEqual([400, "invalid_input"]);

    expect((await setRecording(host, spaceId, true)).status).toBe(200);
    expect((await benSocket.next("update", (u) => u.recording !== undefined)).recording).toBe(true);
    expect((await hostSocket.next("update", (u) => u.recording !== undefined)).recording).toBe(true);
    await evictDurableObject(roomFor(env, spaceId));
    expect((await connect(await signup(), spaceId)).snapshot.recording).toBe(true);
  });

  it("opens adapters for recording with captions off, and turning it off stops the capture", async () => {
    const { host, spaceId, socket } = await recordedSpace({ captions: false });
    for (const packet of tonePackets(10_000)) socket.send(packet);
    const stored = await until(() => partKeys(spaceId), (keys) => keys.length >= 2, 15_000);

    expect((await setRecording(host, spaceId, false)).status).toBe(200);
    // Nothing else needs the track: its adapter closes with the recording.
    await until(() => mediaAdapters(spaceId), (list) => list.length === 0);
    const afterOff = await partKeys(spaceId);
    expect(afterOff.length).toBeGreaterThanOrEqual(stored.length);
    // The SFU's socket is closed; a socket that kept sending would not be heard either (no recorder).
    expect((await host.call("POST", `/api/spaces/${spaceId}/end`)).status).toBe(200);
    const replay = await until(() => host.call("GET", `/api/spaces/${spaceId}/replay`), (r) => r.status === 200, 15_000);
    // The replay holds what was captured while on (10 s of tone, a chunk at most of padding), not more.
    expect(replay.json.durationMs).toBeGreaterThanOrEqual(8_000);
    expect(replay.json.durationMs).toBeLessThanOrEqual(16_000);
    expect(await partKeys(spaceId)).toEqual([]);
  });
});
