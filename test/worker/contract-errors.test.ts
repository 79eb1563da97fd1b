// Bad input on every route gets the contract's error shape — never a crash, a 500, a stack trace or SQL text.
import { describe, expect, it } from "vitest";
import { client, host, signup, type Client } from "./helpers.ts";
import { liveSpace } from "./room-helpers.ts";

type Route = { method: string; path: string };

/** Every route that reads a body or an id; `:id` becomes a live Space, `:handle` a real user. */
const ROUTES: Route[] = [
  { method: "POST", path: "/api/auth/signup" },
  { method: "POST", path: "/api/auth/login" },
  { method: "POST", path: "/api/spaces" },
  { method: "PATCH", path: "/api/spaces/:id" },
  { method: "POST", path: "/api/spaces/:id/start" },
  { method: "POST", path: "/api/spaces/:id/end" },
  { method: "POST", path: "/api/spaces/:id/cancel" },
  { method: "POST", path: "/api/spaces/:id/join" },
  { method: "POST", path: "/api/spaces/:id/reminder" },
  { method: "DELETE", path: "/api/spaces/:id/reminder" },
  { method: "POST", path: "/api/spaces/:id/checkout" },
  { method: "POST", path: "/api/spaces/:id/waitlist" },
  { method: "DELETE", path: "/api/spaces/:id/waitlist" },
  { method: "POST", path: "/api/spaces/:id/audio/session" },
  { method: "POST", path: "/api/spaces/:id/audio/publish" },
  { method: "POST", path: "/api/spaces/:id/audio/pull" },
  { method: "POST", path: "/api/spaces/:id/audio/renegotiate" },
  { method: "POST", path: "/api/spaces/:id/audio/close" },
  { method: "POST", path: "/api/users/:handle/follow" },
  { method: "DELETE", path: "/api/users/:handle/follow" },
  { method: "POST", path: "/api/notifications/read" },
  { method: "POST", path: "/api/push/subscription" },
  { method: "DELETE", path: "/api/push/subscription" },
  { method: "POST", path: "/api/stripe/webhook" },
];

const BODIES: (string | undefined)[] = [
  "{not json",
  "[]",
  "null",
  '"a string"',
  "12345",
  JSON.stringify({ title: 42, handle: ["x"], password: {}, url: "javascript:alert(1)", tracks: "all", mids: [null] }),
  JSON.stringify({ title: "x".repeat(10_000), scheduledFor: "2020-01-01T00:00:00Z", ticket: { priceCents: -1, capacity: 1e12 } }),
  undefined,
];

function expectContractError(route: string, status: number, json: any): void {
  expect(status, route).toBeGreaterThanOrEqual(400);
  expect(status, route).toBeLessThan(500);
  expect(json?.error?.code, route).toMatch(/^[a-z_]+$/);
  expect(typeof json.error.message, route).toBe("string");
  const text = JSON.stringify(json);
  expect(text, route).not.toMatch(/at \w+ \(|\.ts:\d+|SQLITE|D1_ERROR|SELECT |INSERT /);
}

describe("the error contract", () => {
  it("answers every malformed body on every route with a 4xx in the contract's shape", async () => {
    const { host: owner, spaceId } = await liveSpace();
    const someone = await signup();
    const callers: [string, Client][] = [["host", owner], ["other user", someone], ["anonymous", client()]];
    for (const route of ROUTES) {
      const path = route.path.replace(":id", spaceId).replace(":handle", someone.handle);
      for (const [who, caller] of callers) {
        for (const body of BODIES) {
          const res = await caller.call(route.method, path, body);
          if (res.status < 400) continue; // e.g. an idempotent DELETE that ignores its body, or logout
          expectContractError(`${who} ${route.method} ${route.path} ${String(body).slice(0, 30)}`, res.status, res.json);
        }
      }
    }
  });

  it("answers unknown and malformed ids with 4xx errors in the contract's shape", async () => {
    const h = await host();
    for (const route of ROUTES.filter((r) => r.path.includes(":"))) {
      for (const id of ["00000000-0000-0000-0000-000000000000", "x", "%00%27%22", "a".repeat(300)]) {
        const path = route.path.replace(":id", id).replace(":handle", id);
        const res = await h.call(route.method, path, {});
        expectContractError(`${route.method} ${path.slice(0, 60)}`, res.status, res.json);
      }
    }
    for (const path of ["/api/spaces/x/live?token=", "/api/spaces/x/calendar.ics", "/api/calendar/nope.ics", "/api/users/x"]) {
      const res = await h.call("GET", path);
      expectContractError(`GET ${path}`, res.status, res.json);
    }
  });
});
