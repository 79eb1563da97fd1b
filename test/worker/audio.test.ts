// The audio routes against the real SFU stand-in: who may publish, what may be pulled, and moderation that closes
// tracks at the SFU itself (checked with the Calls API's own getSession, not with the room's word).
import { describe, expect, it, vi } from "vitest";
import { signup } from "./helpers.ts";
import { audioPath, localTrackStatus, newAudioSession, publish, PUBLISH_MID, sfuTracks } from "./audio-helpers.ts";
import { connect, liveSpace } from "./room-helpers.ts";

describe("audio sessions and publishing", () => {
  it("refuses a listener's publish with 403 and never gives their SFU session a local track", async () => {
    const { spaceId } = await liveSpace();
    const ana = await signup();
    await connect(ana, spaceId);
    const session = await newAudioSession(ana, spaceId);
    const res = await publish(ana, spaceId, session.sessionToken);
    expect([res.status, res.json.error.code]).toEqual([403, "forbidden"]);
    expect(await sfuTracks(session.sessionId)).toEqual([]);
  });

  it("needs a signed-in person who is in the live room", async () => {
    const { spaceId } = await liveSpace();
    const outsider = await signup();
    const res = await outsider.call("POST", audioPath(spaceId, "session"));
    expect([res.status, res.json.error.code]).toEqual([403, "not_in_room"]);
    await outsider.call("POST", "/api/auth/logout");
    const signedOut = await outsider.call("POST", audioPath(spaceId, "session"));
    expect([signedOut.status, signedOut.json.error.code]).toEqual([401, "unauthorized"]);
  });

  it("publishes the host's mic, answers the offer, and tells the room which track is whose", async () => {
    const { host, spaceId } = await liveSpace();
    await connect(host, spaceId);
    const ana = await signup();
    const anaSocket = await connect(ana, spaceId);
    const session = await newAudioSession(host, spaceId);
    expect(JSON.stringify(session)).not.toContain("test-calls-secret");
    const res = await publish(host, spaceId, session.sessionToken);
    expect(res.status).toBe(200);
    expect(res.json.answer).toMatch(/^v=0\r\n/);
    expect(res.json.track).toEqual({ sessionId: session.sessionId, trackName: expect.stringMatching(/^mic-/) });
    expect(await localTrackStatus(session.sessionId, res.json.track.trackName)).toBe("active");

    let update = await anaSocket.next("update");
    while (!update.participants) update = await anaSocket.next("update");
    expect(update.participants).toEqual([expect.objectContaining({ userId: host.id, track: res.json.track })]);
    const later = await connect(await signup(), spaceId);
    expect(later.snapshot.participants.find((p) => p.userId === host.id)?.track).toEqual(res.json.track);
  });

  it("closing one's own mic (no offer: closed outright, as Calls allows only with force) clears the room's track", async () => {
    const { host, spaceId } = await liveSpace();
    await connect(host, spaceId);
    const session = await newAudioSession(host, spaceId);
    const trackName = (await publish(host, spaceId, session.sessionToken)).json.track.trackName as string;
    const res = await host.call("POST", audioPath(spaceId, "close"), { sessionToken: session.sessionToken, mids: [PUBLISH_MID] });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ answer: null, offer: null, requiresImmediateRenegotiation: false });
    expect(await localTrackStatus(session.sessionId, trackName)).toBe("inactive");
    const later = await connect(await signup(), spaceId);
    expect(later.snapshot.participants.find((p) => p.userId === host.id)?.track ?? null).toBeNull();
  });

  it("acts only on the caller's own session: another person's session token is refused", async () => {
    const { host, spaceId } = await liveSpace();
    await connect(host, spaceId);
    const ana = await signup();
    await connect(ana, spaceId);
    const hostSession = await newAudioSession(host, spaceId);
    const res = await ana.call("POST", audioPath(spaceId, "renegotiate"), { sessionToken: hostSession.sessionToken, answer: "v=0\r\nforged" });
    expect([res.status, res.json.error.code]).toEqual([403, "invalid_session"]);
    const forged = await host.call("POST", audioPath(spaceId, "close"), { sessionToken: "not-a-real-token", mids: ["0"] });
    expect([forged.status, forged.json.error.code]).toEqual([403, "invalid_session"]);
  });
});

describe("pulling the stage", () => {
  it("pulls stage tracks and refuses tracks that are not on this Space's stage", async () => {
    const { host, spaceId } = await liveSpace();
    await connect(host, spaceId);
    const hostTrack = (await publish(host, spaceId, (await newAudioSession(host, spaceId)).sessionToken)).json.track;
    const other = await liveSpace();
    await connect(other.host, other.spaceId);
    const foreignTrack = (await publish(other.host, other.spaceId, (await newAudioSession(other.host, other.spaceId)).sessionToken)).json.track;

    const ben = await signup();
    await connect(ben, spaceId);
    const session = await newAudioSession(ben, spaceId);
    const foreign = await ben.call("POST", audioPath(spaceId, "pull"), { sessionToken: session.sessionToken, tracks: [foreignTrack] });
    expect([foreign.status, foreign.json.error.code]).toEqual([403, "forbidden"]);
    expect(await sfuTracks(session.sessionId)).toEqual([]);

    const res = await ben.call("POST", audioPath(spaceId, "pull"), { sessionToken: session.sessionToken, tracks: [hostTrack, foreignTrack] });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ requiresImmediateRenegotiation: true, refused: [foreignTrack] });
    expect(res.json.offer).toMatch(/^v=0\r\n/);
    expect(res.json.tracks).toEqual([{ ...hostTrack, mid: expect.any(String) }]);
    expect((await sfuTracks(session.sessionId)).map((t) => [t.location, t.sessionId, t.trackName])).toEqual([
      ["remote", hostTrack.sessionId, hostTrack.trackName],
    ]);
  });
});

describe("moderation closes tracks at the SFU", () => {
  /** The SFU reports the track closed (the room closes it after the frame that caused it has returned). */
  const closedAtSfu = (sessionId: string, trackName: string) =>
    vi.waitFor(async () => expect(await localTrackStatus(sessionId, trackName)).toBe("inactive"), { timeout: 3000 });

  async function stageWithSpeaker() {
    const { host, spaceId } = await liveSpace();
    const hostSocket = await connect(host, spaceId);
    const ana = await signup();
    const anaSocket = await connect(ana, spaceId);
    hostSocket.send({ type: "set_role", userId: ana.id, role: "speaker" });
    await anaSocket.next("update", (f) => f.you?.role === "speaker");
    const session = await newAudioSession(ana, spaceId);
    const published = await publish(ana, spaceId, session.sessionToken);
    expect(published.status).toBe(200);
    const trackName = published.json.track.trackName as string;
    expect(await localTrackStatus(session.sessionId, trackName)).toBe("active");
    return { host, hostSocket, ana, anaSocket, spaceId, session, trackName };
  }

  it("demoting a speaker to listener closes their track, and they cannot publish again", async () => {
    const { hostSocket, ana, spaceId, session, trackName } = await stageWithSpeaker();
    hostSocket.send({ type: "set_role", userId: ana.id, role: "listener" });
    await closedAtSfu(session.sessionId, trackName);
    const again = await publish(ana, spaceId, session.sessionToken);
    expect([again.status, again.json.error.code]).toEqual([403, "forbidden"]);
  });

  it("removing (and blocking) a speaker closes their track", async () => {
    const { hostSocket, ana, session, trackName } = await stageWithSpeaker();
    hostSocket.send({ type: "remove", userId: ana.id, block: true });
    await closedAtSfu(session.sessionId, trackName);
  });

  it("ending the Space closes every published track", async () => {
    const { host, spaceId, session, trackName } = await stageWithSpeaker();
    const hostSession = await newAudioSession(host, spaceId);
    const hostTrack = (await publish(host, spaceId, hostSession.sessionToken)).json.track;
    expect((await host.call("POST", `/api/spaces/${spaceId}/end`)).status).toBe(200);
    await closedAtSfu(session.sessionId, trackName);
    await closedAtSfu(hostSession.sessionId, hostTrack.trackName);
  });

  it("a host's mute leaves the track open (the speaker's browser stops sending) and the speaker may unmute", async () => {
    const { hostSocket, ana, anaSocket, session, trackName } = await stageWithSpeaker();
    anaSocket.send({ type: "unmute" });
    await anaSocket.next("update", (f) => f.you?.muted === false);
    hostSocket.send({ type: "mute", userId: ana.id });
    const muted = await anaSocket.next("update", (f) => f.you?.muted === true);
    expect(muted.you).toMatchObject({ muted: true, mutedBy: "moderator" });
    expect(await localTrackStatus(session.sessionId, trackName)).toBe("active");
  });
});
