// D1 read replication on the join path: GET /spaces/:id?join=1 reads through a D1 session and answers with its
// bookmark (x-d1-bookmark); the bookmark sent back is taken, and a malformed one is ignored rather than failing.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { isBookmark } from "../../worker/http/d1-session.ts";
import { ORIGIN, signup, type Client } from "./helpers.ts";
import { liveSpace } from "./room-helpers.ts";

async function openSpace(person: Client, spaceId: string, bookmark?: string) {
  const headers: Record<string, string> = { Cookie: person.cookie };
  if (bookmark !== undefined) headers["x-d1-bookmark"] = bookmark;
  const response = await SELF.fetch(`${ORIGIN}/api/spaces/${spaceId}?join=1`, { headers });
  return { status: response.status, bookmark: response.headers.get("x-d1-bookmark"), json: (await response.json()) as any };
}

describe("GET /spaces/:id?join=1 through a D1 session", () => {
  it("answers with the session's bookmark and reads again from a bookmark sent back", async () => {
    const { spaceId } = await liveSpace();
    const ana = await signup();
    const first = await openSpace(ana, spaceId);
    expect(first.status).toBe(200);
    expect(typeof first.json.join.token).toBe("string");
    expect(first.bookmark).not.toBeNull();
    expect(isBookmark(first.bookmark!)).toBe(true);
    const again = await openSpace(ana, spaceId, first.bookmark!);
    expect([again.status, again.json.space.id, typeof again.json.join.token]).toEqual([200, spaceId, "string"]);
    // A session never hands back a bookmark older than the one it started from.
    expect(again.bookmark! >= first.bookmark!).toBe(true);
  });

  it("ignores a malformed bookmark instead of failing the join", async () => {
    const { spaceId } = await liveSpace();
    const ben = await signup();
    for (const bad of ["not a bookmark", "x".repeat(500), "'; DROP TABLE spaces; --"]) {
      const res = await openSpace(ben, spaceId, bad);
      expect([res.status, typeof res.json.join.token]).toEqual([200, "string"]);
    }
  });
});
