// Calendar files through the real Worker: a valid RFC 5545 .ics per Space and the personal feed behind a secret URL.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { host, ORIGIN, signup } from "./helpers.ts";
import { schedule } from "./spaces-support.ts";

async function fetchIcs(path: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await SELF.fetch(`${ORIGIN}${path}`);
  return { status: res.status, type: res.headers.get("Content-Type"), text: await res.text() };
}

/** Checks the framing rules every calendar client relies on and returns the unfolded content lines. */
function contentLines(ics: string): string[] {
  expect(ics.endsWith("\r\n")).toBe(true);
  const physical = ics.slice(0, -2).split("\r\n");
  for (const line of physical) {
    expect(line).not.toMatch(/[\r\n]/);
    expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
  }
  return ics.slice(0, -2).replace(/\r\n /g, "").split("\r\n");
}

/** Values of a property, with or without parameters (`URL;VALUE=URI:…`). */
function property(lines: string[], name: string): string[] {
  return lines.filter((l) => l.startsWith(`${name}:`) || l.startsWith(`${name};`)).map((l) => l.slice(l.indexOf(":") + 1));
}

/** 20260102T030405Z → epoch ms. */
function parseUtc(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  expect(m).not.toBeNull();
  const [, y, mo, d, h, mi, s] = m!.map(Number);
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
}

describe("calendar", () => {
  it("serves one Space as a valid VCALENDAR with its UTC start, escaped text and folded lines", async () => {
    const h = await host();
    const title = "Coffee, code; and \\ backslashes — a long title that needs folding 🎙️🎙️🎙️";
    const space = await schedule(h, title, 90, { topics: ["coffee"] });
    const ics = await fetchIcs(`/api/spaces/${space.id}/calendar.ics`);
    expect(ics.status).toBe(200);
    expect(ics.type).toBe("text/calendar; charset=utf-8");
    const lines = contentLines(ics.text);
    expect(lines[0]).toBe("BEGIN:VCALENDAR");
    expect(lines.at(-1)).toBe("END:VCALENDAR");
    expect(property(lines, "VERSION")).toEqual(["2.0"]);
    expect(property(lines, "PRODID")).toHaveLength(1);
    expect(lines.filter((l) => l === "BEGIN:VEVENT")).toHaveLength(1);
    expect(property(lines, "UID")).toEqual([`space-${space.id}@spaces`]);
    expect(parseUtc(property(lines, "DTSTART")[0]!)).toBe(Math.floor(Date.parse(space.scheduledFor) / 1000) * 1000);
    expect(Math.abs(parseUtc(property(lines, "DTSTAMP")[0]!) - Date.now())).toBeLessThan(60_000);
    expect(property(lines, "SUMMARY")).toEqual(["Coffee\\, code\\; and \\\\ backslashes — a long title that needs folding 🎙️🎙️🎙️"]);
    expect(property(lines, "URL")).toEqual([`${ORIGIN}/spaces/${space.id}`]);
    expect(property(lines, "STATUS")).toEqual(["CONFIRMED"]);
    expect(property(lines, "CATEGORIES")).toEqual(["coffee"]);
    expect(ics.text.split("\r\n").some((l) => l.startsWith(" "))).toBe(true);
  });

  it("404s a Space with no time and an unknown id", async () => {
    const h = await host();
    const draft = (await h.call("POST", "/api/spaces", { title: "Unplanned" })).json.space;
    expect((await fetchIcs(`/api/spaces/${draft.id}/calendar.ics`)).status).toBe(404);
    expect((await fetchIcs(`/api/spaces/nosuchspace/calendar.ics`)).status).toBe(404);
  });

  it("gives each person a secret feed of the Spaces they asked to be reminded of, cancelled ones marked", async () => {
    const h = await host();
    const fan = await signup();
    const kept = await schedule(h, "Kept", 60);
    const dropped = await schedule(h, "Dropped", 120);
    await schedule(h, "Not reminded", 180);
    await fan.call("POST", `/api/spaces/${kept.id}/reminder`);
    await fan.call("POST", `/api/spaces/${dropped.id}/reminder`);
    await h.call("POST", `/api/spaces/${dropped.id}/cancel`);

    const { url } = (await fan.call("GET", "/api/me/calendar")).json;
    expect(url).toMatch(new RegExp(`^${ORIGIN}/api/calendar/[a-f0-9]{32}\\.ics$`));
    const feed = await fetchIcs(new URL(url).pathname);
    expect(feed.status).toBe(200);
    const lines = contentLines(feed.text);
    expect(property(lines, "SUMMARY").sort()).toEqual(["Dropped", "Kept"]);
    expect(property(lines, "STATUS").sort()).toEqual(["CANCELLED", "CONFIRMED"]);

    const rotated = (await fan.call("POST", "/api/me/calendar/reset")).json.url;
    expect(rotated).not.toBe(url);
    expect((await fetchIcs(new URL(url).pathname)).status).toBe(404);
    expect((await fetchIcs(new URL(rotated).pathname)).status).toBe(200);
    expect((await fetchIcs("/api/calendar/not-a-token.ics")).status).toBe(400);
    const signedOut = await signup();
    signedOut.cookie = "";
    expect((await signedOut.call("GET", "/api/me/calendar")).status).toBe(401);
  });

  it("keeps line breaks in stored text inside their property: a lone \\r in a title cannot inject lines", async () => {
    const h = await host();
    const space = await schedule(h, "Placeholder", 30);
    // Titles are cleaned on input now; rows written before that (or by hand) may still hold any character.
    const title = "Friday\rBEGIN:VEVENT\rUID:evil\r\nSUMMARY:owned\nX-EVIL:1";
    await env.DB.prepare("UPDATE spaces SET title = ? WHERE id = ?").bind(title, space.id).run();
    const lines = contentLines((await fetchIcs(`/api/spaces/${space.id}/calendar.ics`)).text);
    expect(lines.filter((l) => l === "BEGIN:VEVENT")).toHaveLength(1);
    expect(property(lines, "UID")).toEqual([`space-${space.id}@spaces`]);
    expect(property(lines, "X-EVIL")).toEqual([]);
    expect(property(lines, "SUMMARY")).toEqual(["Friday\\nBEGIN:VEVENT\\nUID:evil\\nSUMMARY:owned\\nX-EVIL:1"]);
    // The title also names this one-Space calendar: escaped there too (once).
    expect(property(lines, "NAME")).toEqual(["Friday\\nBEGIN:VEVENT\\nUID:evil\\nSUMMARY:owned\\nX-EVIL:1"]);
    expect(property(lines, "X-WR-CALNAME")).toEqual(property(lines, "NAME"));
  });
});
