// The replay page's clip range: typed times read as people write them, and each rule broken gets its own message.
import { describe, expect, it } from "vitest";
import { checkClipRange, formatClock, parseClock } from "../../worker/protocol/clip-range.ts";

describe("parseClock", () => {
  it.each([
    ["0:00", 0],
    ["1:05", 65_000],
    [" 1:05.5 ", 65_500],
    ["65", 65_000],
    ["12.25", 12_250],
    ["75:00", 4_500_000],
    ["1:02:03", 3_723_000],
  ])("reads %j as %i ms", (text, ms) => expect(parseClock(text)).toBe(ms));

  it.each(["", "abc", "1:60", "1:5:00:00", "1:75:00", "-3", "1,5", "1:05.1234", ":30"])("refuses %j", (text) =>
    expect(parseClock(text)).toBeNull(),
  );
});

describe("formatClock", () => {
  it.each([
    [0, "0:00"],
    [65_000, "1:05"],
    [65_500, "1:05.5"],
    [3_723_000, "1:02:03"],
  ])("writes %i ms as %j, which reads back", (ms, text) => {
    expect(formatClock(ms)).toBe(text);
    expect(parseClock(text)).toBe(ms);
  });
});

describe("checkClipRange", () => {
  const duration = 5 * 60_000;
  it("accepts a range inside the recording of at most 60 s", () => {
    expect(checkClipRange("1:00", "2:00", duration)).toEqual({ ok: true, startMs: 60_000, endMs: 120_000 });
    expect(checkClipRange("4:30", "5:00", duration)).toEqual({ ok: true, startMs: 270_000, endMs: 300_000 });
  });

  it.each([
    ["one", "0:10", "start", "Write the start as minutes:seconds, like 1:05."],
    ["0:10", "", "end", "Write the end as minutes:seconds, like 1:35."],
    ["6:00", "6:10", "start", "The start is past the end of the recording (5:00)."],
    ["1:00", "1:00", "end", "The end must come after the start."],
    ["1:00", "0:50", "end", "The end must come after the start."],
    ["4:50", "5:10", "end", "The recording ends at 5:00."],
    ["1:00", "2:00.5", "end", "A clip is at most 60 seconds; this one is 1:00.5."],
  ])("%j to %j: the %s is wrong", (start, end, field, message) => {
    expect(checkClipRange(start, end, duration)).toEqual({ ok: false, field, message });
  });
});
