// The demo seed (dev/seed.ts) as `npm start` loads it: generated fans can log in, and every calendar feed token works.
import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, seedSql } from "../../dev/seed.ts";
import { ORIGIN } from "./helpers.ts";

/** Runs the seed's statements one by one (D1's exec splits on newlines, and one statement spans lines). */
async function runSeed(): Promise<void> {
  const statements = seedSql()
    .split(/;\n/)
    .map((statement) => statement.trim())
    .filter(Boolean);
  await env.DB.batch(statements.map((statement) => env.DB.prepare(statement)));
}

async function login(handle: string) {
  return SELF.fetch(`${ORIGIN}/api/auth/login`, {
    method: "POST",
    headers: { Origin: ORIGIN, "Content-Type": "application/json", "CF-Connecting-IP": `192.0.2.${handle.length}` },
    body: JSON.stringify({ handle, password: DEMO_PASSWORD }),
  });
}

describe("demo seed", () => {
  beforeAll(async () => {
    // An older seed's rows first, to check that seeding again repairs them.
    await env.DB.prepare(
      "INSERT INTO users (id, handle, display_name, password_hash, password_salt, calendar_token) VALUES ('demo-fan-0002', 'fan_0002', 'Fan 2', '!', '!', 'cal-demo-fan-0002')",
    ).run();
    await runSeed();
  });

  it("lets a generated fan log in with the demo password", async () => {
    for (const handle of ["fan_0001", "fan_0002", "fan_0640", "host"]) {
      const response = await login(handle);
      expect(response.status, handle).toBe(200);
      expect(((await response.json()) as { user: { handle: string } }).user.handle).toBe(handle);
    }
  });

  it("gives every demo account a calendar feed token the feed URL accepts", async () => {
    const { results } = await env.DB.prepare("SELECT id, calendar_token AS token FROM users WHERE id LIKE 'demo-%'").all<{ id: string; token: string }>();
    expect(results.length).toBe(643);
    expect(results.filter((row) => !/^[a-f0-9]{32}$/.test(row.token))).toEqual([]);
    expect(new Set(results.map((row) => row.token)).size).toBe(643);
    const fan = results.find((row) => row.id === "demo-fan-0002")!;
    const feed = await SELF.fetch(`${ORIGIN}/api/calendar/${fan.token}.ics`);
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain("BEGIN:VCALENDAR");
  });
});
