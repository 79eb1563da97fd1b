// The room frame parsers: typed messages for good frames, the right error code for each kind of bad one, never a throw.
import { describe, expect, it } from "vitest";
import { MAX_CLIENT_FRAME_CHARS, parseClientMessage, parseServerMessage } from "../../worker/protocol/room-parse.ts";

const codeOf = (raw: unknown) => {
  const parsed = parseClientMessage(raw);
  return parsed.ok ? "ok" : parsed.error.code;
};

describe("parseClientMessage", () => {
  it.each([
    [{ type: "react", emoji: "👏" }, "ok"],
    [{ type: "react", emoji: "❤️" }, "ok"],
    [{ type: "react", emoji: "🍕" }, "invalid_emoji"],
    [{ type: "react" }, "invalid_emoji"],
    [{ type: "pin", url: "https://example.com/a?b=c" }, "ok"],
    [{ type: "pin", url: "http://example.com" }, "ok"],
    [{ type: "pin", url: "javascript:alert(1)" }, "invalid_url"],
    [{ type: "pin", url: "ftp://example.com" }, "invalid_url"],
    [{ type: "pin", url: "https://user:pw@example.com" }, "invalid_url"],
    [{ type: "pin", url: `https://example.com/${"a".repeat(2048)}` }, "invalid_url"],
    [{ type: "pin", url: 42 }, "invalid_url"],
    [{ type: "set_role", userId: "u1", role: "speaker" }, "ok"],
    [{ type: "set_role", userId: "u1", role: "host" }, "invalid_role"],
    [{ type: "set_role", role: "speaker" }, "bad_frame"],
    [{ type: "mute", userId: "has spaces" }, "bad_frame"],
    [{ type: "remove", userId: "u1", block: "yes" }, "bad_frame"],
    [{ type: "remove", userId: "u1", block: true }, "ok"],
    [{ type: "lower_hand" }, "ok"],
    [{ type: "lower_hand", userId: 7 }, "bad_frame"],
    [{ type: "set_speak_policy", policy: "followed" }, "ok"],
    [{ type: "set_speak_policy", policy: "nobody" }, "invalid_policy"],
    [{ type: "set_captions", on: false }, "ok"],
    [{ type: "set_captions", on: "off" }, "bad_frame"],
    [{ type: "set_captions" }, "bad_frame"],
    [{ type: "teleport" }, "unknown_type"],
    [{ type: 3 }, "bad_frame"],
    [[1, 2], "bad_frame"],
    [null, "bad_frame"],
  ])("%j → %s", (frame, code) => {
    expect(codeOf(JSON.stringify(frame))).toBe(code);
  });

  it("refuses non-JSON, binary and oversized frames", () => {
    expect(codeOf("{nope")).toBe("bad_frame");
    expect(codeOf(new ArrayBuffer(4))).toBe("bad_frame");
    expect(codeOf(JSON.stringify({ type: "ping", pad: "x".repeat(MAX_CLIENT_FRAME_CHARS) }))).toBe("too_large");
  });

  it("keeps only the known fields of a good frame", () => {
    expect(parseClientMessage(JSON.stringify({ type: "mute", userId: "u1", extra: { a: 1 } }))).toEqual({
      ok: true,
      message: { type: "mute", userId: "u1" },
    });
  });
});

describe("parseServerMessage", () => {
  it("accepts the room's frames and flags broken ones", () => {
    expect(parseServerMessage(JSON.stringify({ type: "reactions", counts: { "👏": 2 }, recent: [] })).ok).toBe(true);
    expect(parseServerMessage(JSON.stringify({ type: "error", code: "forbidden", message: "No." })).ok).toBe(true);
    expect(parseServerMessage(JSON.stringify({ type: "snapshot", you: {} })).ok).toBe(false);
    expect(parseServerMessage(JSON.stringify({ type: "mystery" })).ok).toBe(false);
    expect(parseServerMessage("<html>").ok).toBe(false);
  });

  it("accepts a caption frame and refuses one without its times", () => {
    const caption = { type: "caption", speakerId: "u1", handle: "ana", text: "hello there", final: true, startMs: 1200, endMs: 2400 };
    expect(parseServerMessage(JSON.stringify(caption))).toEqual({ ok: true, message: caption });
    expect(parseServerMessage(JSON.stringify({ ...caption, endMs: undefined })).ok).toBe(false);
    expect(parseServerMessage(JSON.stringify({ ...caption, final: "yes" })).ok).toBe(false);
  });
});
