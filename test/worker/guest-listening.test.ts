// Listening without an account (issue 16, part 5) through the real Worker and room: who gets a guest join, its
// per-address limit, what the Space page is told (guestListening), the room's refusals and the guest's pull-only audio session.
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index.ts";
import { GUEST_TOKEN_HEADER } from "../../worker/protocol/guest.ts";
import { audioPath, PUBLISH_MID, PUBLISH_OFFER, sfuTracks } from "./audio-helpers.ts";
import { client, ORIGIN, type Client } from "./helpers.ts";
import { connect, liveSpace, upgrade, wrapSocket } from "./room-helpers.ts";
import { ticketedSpace } from "./ticket-helpers.ts";

type Guest = Client & { joined: { url: string; token: string; guest: { id: string; token: string } } };

async function guestJoin(spaceId: string, guest: Client = client()): Promise<Guest> {
  const res = await guest.call("POST", `/api/spaces/${spaceId}/join`);
  if (res.status !== 200) throw new Error(`guest join failed: ${res.status} ${JSON.stringify(res.json)}`);
  return Object.assign(guest, { joined: res.json });
}

async function guestSocket(spaceId: string, guest: Guest) {
  const res = await upgrade(spaceId, guest.joined.token);
  if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade failed: ${res.status}`);
  const socket = wrapSocket(res.webSocket);
  return Object.assign(socket, { snapshot: await socket.next("snapshot") });
}

/** An audio route called as a guest: no cookie, the guest token in its header. */
async function guestAudio(spaceId: string, step: string, token: string, body?: unknown) {
  const answer = await SELF.fetch(`${ORIGIN}${audioPath(spaceId, step)}`, {
    method: "POST",
    headers: { Origin: ORIGIN, "Content-Type": "application/json", [GUEST_TOKEN_HEADER]: token },
    body: JSON.stringify(body ?? {}),
  });
  return { status: answer.status, json: (await answer.json()) as any };
}

describe("guest join", () => {
  it("lets someone without an account into a public live Space as a listener, counted as one", async () => {
    const { host, spaceId } = await liveSpace();
    const hostSocket = await connect(host, spaceId);
    const guest = await guestJoin(spaceId);
    expect(guest.joined).toMatchObject({ url: expect.stringContaining(`/api/spaces/${spaceId}/live`), token: expect.any(String) });
    expect(guest.joined.guest.id).toMatch(/^guest-/);
    const socket = await guestSocket(spaceId, guest);
    expect(socket.snapshot.you).toMatchObject({ userId: guest.joined.guest.id, role: "listener" });
    const before = hostSocket.snapshot.listenerCount;
    await hostSocket.next("update", (frame) => frame.listenerCount === before + 1);
  });

  it("refuses a ticketed Space with 402 ticket_required", async () => {
    const { host, space } = await ticketedSpace(5);
    expect((await host.call("POST", `/api/spaces/${space.id}/start`)).status).toBe(200);
    const res = await client().call("POST", `/api/spaces/${space.id}/join`);
    expect([res.status, res.json.error.code]).toEqual([402, "ticket_required"]);
  });

  it("limits guest joins per address and answers 429 with Retry-After", async () => {
    const { spaceId } = await liveSpace();
    const sameNetwork = client();
    for (let i = 0; i < 30; i++) await guestJoin(spaceId, sameNetwork);
    const refused = await sameNetwork.call("POST", `/api/spaces/${spaceId}/join`);
    expect([refused.status, refused.json.error.code]).toEqual([429, "too_many_guest_joins"]);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await client().call("POST", `/api/spaces/${spaceId}/join`)).status).toBe(200);
  });

  it("answers 401 when GUEST_LISTENING is off", async () => {
    const { spaceId } = await liveSpace();
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`${ORIGIN}/api/spaces/${spaceId}/join`, { method: "POST", headers: { Origin: ORIGIN, "CF-Connecting-IP": "10.9.9.9" } }),
      { ...env, GUEST_LISTENING: "false" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect([res.status, ((await res.json()) as any).error.code]).toEqual([401, "unauthorized"]);
  });
});

describe("the Space says whether guests may listen", () => {
  /** GET /api/spaces/:id without a session, through the Worker with the given GUEST_LISTENING value. */
  async function viewAsGuest(spaceId: string, setting: string) {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(`${ORIGIN}/api/spaces/${spaceId}`), { ...env, GUEST_LISTENING: setting }, ctx);
    await waitOnExecutionContext(ctx);
    return ((await res.json()) as { space: { guestListening?: boolean } }).space;
  }

  it("true for a free Space with the setting on, false with it off or for a ticketed Space", async () => {
    const { spaceId } = await liveSpace();
    const { space: ticketed } = await ticketedSpace(5);
    expect((await client().call("GET", `/api/spaces/${spaceId}`)).json.space.guestListening).toBe(true);
    expect((await viewAsGuest(spaceId, "true")).guestListening).toBe(true);
    expect((await viewAsGuest(spaceId, "false")).guestListening).toBe(false);
    expect((await viewAsGuest(ticketed.id, "true")).guestListening).toBe(false);
  });
});

describe("a guest in the room", () => {
  it("gets an error frame for a reaction or a raised hand, and cannot be invited up", async () => {
    const { host, spaceId } = await liveSpace();
    const hostSocket = await connect(host, spaceId);
    const guest = await guestJoin(spaceId);
    const socket = await guestSocket(spaceId, guest);
    socket.send({ type: "react", emoji: "🔥" });
    expect(await socket.next("error")).toMatchObject({ code: "sign_up_required", frame: "react" });
    socket.send({ type: "raise_hand" });
    expect(await socket.next("error")).toMatchObject({ code: "sign_up_required", frame: "raise_hand" });
    hostSocket.send({ type: "invite", userId: guest.joined.guest.id });
    expect(await hostSocket.next("error")).toMatchObject({ code: "forbidden", frame: "invite" });
    expect(socket.ws.readyState).toBe(WebSocket.OPEN);
    hostSocket.send({ type: "remove", userId: guest.joined.guest.id });
    expect(await socket.next("removed")).toMatchObject({ blocked: false });
  });

  it("opens a pull-only audio session with the guest token and is refused a publish", async () => {
    const { spaceId } = await liveSpace();
    const guest = await guestJoin(spaceId);
    await guestSocket(spaceId, guest);
    const session = await guestAudio(spaceId, "session", guest.joined.guest.token);
    expect(session.status).toBe(201);
    const refused = await guestAudio(spaceId, "publish", guest.joined.guest.token, {
      sessionToken: session.json.sessionToken,
      offer: PUBLISH_OFFER,
      mid: PUBLISH_MID,
    });
    expect([refused.status, refused.json.error.code]).toEqual([403, "forbidden"]);
    expect(await sfuTracks(session.json.sessionId)).toEqual([]);
    const otherSpace = await liveSpace();
    const wrongSpace = await guestAudio(otherSpace.spaceId, "session", guest.joined.guest.token);
    expect([wrongSpace.status, wrongSpace.json.error.code]).toEqual([401, "invalid_token"]);
  });
});
