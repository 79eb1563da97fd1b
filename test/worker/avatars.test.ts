// Profile pictures: upload (bytes checked to be a PNG, JPEG or WebP), served back from R2, shown on the person's
// profile, on their Spaces, in followers' home ring and in the live room (stage, listeners, hands), replaced (the old
// file goes) and cleared; bad uploads get the contract's errors.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { client, host, ORIGIN, signup, type Client } from "./helpers.ts";
import { connect } from "./room-helpers.ts";

// A 1×1 PNG, then the same signature with different bytes so two uploads differ.
const PNG = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="), (ch) => ch.charCodeAt(0));
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]);

function upload(person: Client, bytes: Uint8Array, contentType = "image/png") {
  return SELF.fetch(`${ORIGIN}/api/me/avatar`, {
    method: "PUT",
    headers: { Origin: ORIGIN, Cookie: person.cookie, "Content-Type": contentType },
    body: bytes.slice().buffer as ArrayBuffer,
  });
}

describe("profile pictures", () => {
  it("stores an upload, serves it back, and shows it on the profile, the session and the person's Spaces", async () => {
    const h = await host();
    const res = await upload(h, PNG);
    expect(res.status).toBe(200);
    const { avatarUrl } = await res.json<{ avatarUrl: string }>();
    expect(avatarUrl).toMatch(new RegExp(`^/api/avatars/${h.id}/[0-9a-f-]{36}\\.png$`));

    const image = await SELF.fetch(`${ORIGIN}${avatarUrl}`);
    expect(image.status).toBe(200);
    expect(image.headers.get("Content-Type")).toBe("image/png");
    expect(image.headers.get("Cache-Control")).toContain("immutable");
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(PNG);

    expect((await h.call("GET", "/api/auth/session")).json.user.avatarUrl).toBe(avatarUrl);
    expect((await client().call("GET", `/api/users/${h.handle}`)).json.user.avatarUrl).toBe(avatarUrl);
    const created = await h.call("POST", "/api/spaces", { title: "With a face" });
    expect(created.json.space.host.avatarUrl).toBe(avatarUrl);
    // And in a follower's home ring.
    const fan = await signup();
    await fan.call("POST", `/api/users/${h.handle}/follow`);
    expect((await fan.call("GET", "/api/home")).json.following).toEqual([expect.objectContaining({ id: h.id, avatarUrl })]);
  });

  it("shows pictures in the live room: the host on stage, a listener in the sample and the hand queue", async () => {
    const h = await host();
    const hostPicture = (await (await upload(h, PNG)).json<{ avatarUrl: string }>()).avatarUrl;
    const ana = await signup();
    const anaPicture = (await (await upload(ana, JPEG, "image/jpeg")).json<{ avatarUrl: string }>()).avatarUrl;
    const bo = await signup();
    const spaceId = (await h.call("POST", "/api/spaces", { title: "Faces in the room" })).json.space.id as string;
    expect((await h.call("POST", `/api/spaces/${spaceId}/start`)).status).toBe(200);

    const hostSocket = await connect(h, spaceId);
    expect(hostSocket.snapshot.participants[0]).toMatchObject({ userId: h.id, avatarUrl: hostPicture });
    const anaSocket = await connect(ana, spaceId);
    await connect(bo, spaceId);
    const sample = anaSocket.snapshot.listeners ?? [];
    expect(sample.find((entry) => entry.userId === ana.id)?.avatarUrl).toBe(anaPicture);
    // Someone without a picture carries no avatar field: the grid shows their initials.
    const later = await anaSocket.next("update", (u) => (u.listeners ?? []).some((entry) => entry.userId === bo.id), 5000);
    expect(later.listeners?.find((entry) => entry.userId === bo.id)).not.toHaveProperty("avatarUrl");

    anaSocket.send({ type: "raise_hand" });
    const raised = await hostSocket.next("update", (u) => (u.handsAdded ?? []).length > 0);
    expect(raised.handsAdded?.[0]).toMatchObject({ userId: ana.id, avatarUrl: anaPicture });
    hostSocket.send({ type: "approve", userId: ana.id });
    const promoted = await hostSocket.next("update", (u) => (u.participants ?? []).some((p) => p.userId === ana.id));
    expect(promoted.participants?.find((p) => p.userId === ana.id)?.avatarUrl).toBe(anaPicture);
  });

  it("replaces the picture (the old file is gone) and clears it back to initials", async () => {
    const ana = await signup();
    const first = (await (await upload(ana, PNG)).json<{ avatarUrl: string }>()).avatarUrl;
    const second = (await (await upload(ana, JPEG, "image/jpeg")).json<{ avatarUrl: string }>()).avatarUrl;
    expect(second).toMatch(/\.jpg$/);
    expect(second).not.toBe(first);
    expect((await SELF.fetch(`${ORIGIN}${first}`)).status).toBe(404);
    const cleared = await ana.call("DELETE", "/api/me/avatar");
    expect(cleared).toMatchObject({ status: 200, json: { avatarUrl: null } });
    expect((await ana.call("GET", "/api/auth/session")).json.user.avatarUrl).toBeNull();
    expect((await SELF.fetch(`${ORIGIN}${second}`)).status).toBe(404);
  });

  it("refuses what is not a small image, and anyone signed out", async () => {
    const ana = await signup();
    const text = await upload(ana, new TextEncoder().encode("<svg onload=alert(1)>"), "image/svg+xml");
    expect(text.status).toBe(400);
    expect((await text.json<{ error: { code: string } }>()).error.code).toBe("unsupported_image");
    const empty = await upload(ana, new Uint8Array());
    expect((await empty.json<{ error: { code: string } }>()).error.code).toBe("empty_image");
    const huge = new Uint8Array(600 * 1024);
    huge.set(PNG);
    const tooBig = await upload(ana, huge);
    expect(tooBig.status).toBe(413);
    expect((await tooBig.json<{ error: { code: string } }>()).error.code).toBe("image_too_large");
    const anonymous = await upload(client(), PNG);
    expect(anonymous.status).toBe(401);
    const missing = await SELF.fetch(`${ORIGIN}/api/avatars/nobody/00000000-0000-0000-0000-000000000000.png`);
    expect(missing.status).toBe(404);
    expect((await missing.json<{ error: { code: string } }>()).error.code).toBe("not_found");
  });
});
