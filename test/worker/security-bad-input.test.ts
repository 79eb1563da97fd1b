// Bad input: an out-of-range scheduledFor is a 400 (not a 500), auth is checked before the body, and bodies past the
// route's limit are refused with 413 body_too_large.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { client, host, ORIGIN, signup } from "./helpers.ts";

describe("bad input", () => {
  it("answers scheduledFor past the last JavaScript date with 400 invalid_input", async () => {
    const h = await host();
    const res = await h.call("POST", "/api/spaces", { title: "Far future", scheduledFor: 8640000000000001 });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("invalid_input");
    expect(res.json.error.fields).toEqual(["scheduledFor"]);
  });

  it("checks auth before validating the body: signed out is 401 whatever the body", async () => {
    const anonymous = client();
    for (const body of [{ title: "x", scheduledFor: 8640000000000001 }, "{not json", {}]) {
      const res = await anonymous.call("POST", "/api/spaces", body);
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe("unauthorized");
    }
    expect((await anonymous.call("PATCH", "/api/spaces/some-id", { scheduledFor: -1 })).status).toBe(401);
  });

  it("refuses a JSON body over 64 KiB with 413 body_too_large, also when sent without a length", async () => {
    const ana = await signup();
    const big = JSON.stringify({ title: "x".repeat(70 * 1024) });
    const declared = await ana.call("POST", "/api/spaces", big);
    expect(declared.status).toBe(413);
    expect(declared.json.error.code).toBe("body_too_large");
    const streamed = await SELF.fetch(`${ORIGIN}/api/auth/login`, {
      method: "POST",
      headers: { Origin: ORIGIN, "Content-Type": "application/json" },
      body: new Blob([big]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { error: { code: string } }).error.code).toBe("body_too_large");
  });
});
