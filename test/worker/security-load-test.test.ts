// Load-test mode: SPACES_LOAD_TEST=1 lifts per-address limits only for loopback requests; a public host keeps them.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index.ts";
import { uniqueHandle } from "./helpers.ts";

/** A signup from one address straight into the Worker with SPACES_LOAD_TEST set, at the given origin. */
async function signupAt(origin: string, address: string, loadTest: string) {
  const request = new Request(`${origin}/api/auth/signup`, {
    method: "POST",
    headers: { Origin: origin, "Content-Type": "application/json", "CF-Connecting-IP": address },
    body: JSON.stringify({ handle: uniqueHandle("load"), password: "long enough" }),
  });
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, { ...env, SPACES_LOAD_TEST: loadTest }, ctx);
  await waitOnExecutionContext(ctx);
  return response.status;
}

async function statuses(origin: string, address: string, loadTest: string, count: number) {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push(await signupAt(origin, address, loadTest));
  return seen;
}

describe("load-test mode", () => {
  it("lifts the signup limit per address on a loopback origin", async () => {
    const seen = await statuses("http://127.0.0.1:8787", "198.51.100.10", "1", 14);
    expect(seen.every((status) => status === 201)).toBe(true);
  });

  it("is ignored on a public host: the per-address limit still refuses the 11th signup", async () => {
    const seen = await statuses("https://spaces.example.com", "198.51.100.11", "1", 12);
    expect(seen.slice(0, 10).every((status) => status === 201)).toBe(true);
    expect(seen.slice(10)).toEqual([429, 429]);
  });

  it("lifts the failed-login limit over all handles of one address, on loopback only", async () => {
    const guesses = async (origin: string, address: string) => {
      const seen: number[] = [];
      for (let i = 0; i < 22; i++) {
        const request = new Request(`${origin}/api/auth/login`, {
          method: "POST",
          headers: { Origin: origin, "Content-Type": "application/json", "CF-Connecting-IP": address },
          body: JSON.stringify({ handle: uniqueHandle("nobody"), password: "wrong guess" }),
        });
        const ctx = createExecutionContext();
        seen.push((await worker.fetch(request, { ...env, SPACES_LOAD_TEST: "1" }, ctx)).status);
        await waitOnExecutionContext(ctx);
      }
      return seen;
    };
    expect(new Set(await guesses("http://localhost", "198.51.100.12"))).toEqual(new Set([401]));
    expect((await guesses("https://spaces.example.com", "198.51.100.14")).slice(20)).toEqual([429, 429]);
  });

  it("needs SPACES_LOAD_TEST to be exactly 1", async () => {
    const seen = await statuses("http://127.0.0.1:8787", "198.51.100.13", "", 11);
    expect(seen.at(-1)).toBe(429);
  });
});
