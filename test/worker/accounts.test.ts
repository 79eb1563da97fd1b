// Accounts, sessions, throttling and the error shape, through the real Worker and local D1.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { client, signup, uniqueHandle } from "./helpers.ts";

describe("accounts", () => {
  it("signs up, reads /me, logs out and back in", async () => {
    const c = client();
    const handle = uniqueHandle("ana");
    const created = await c.call("POST", "/api/auth/signup", { handle, password: "long enough", displayName: "Ana" });
    expect(created.status).toBe(201);
    expect(created.headers.get("Set-Cookie")).toMatch(/HttpOnly/i);
    expect(created.headers.get("Set-Cookie")).toMatch(/SameSite=Lax/i);
    const me = await c.call("GET", "/api/me");
    expect(me.json.user).toMatchObject({ handle, displayName: "Ana", followers: 0, canHost: false, hostMinFollowers: 600 });
    await c.call("POST", "/api/auth/logout");
    c.cookie = "";
    expect((await c.call("GET", "/api/me")).json.error.code).toBe("unauthorized");
    const login = await c.call("POST", "/api/auth/login", { handle: handle.toUpperCase(), password: "long enough" });
    expect(login.status).toBe(200);
    expect((await c.call("GET", "/api/me")).json.user.handle).toBe(handle);
  });

  it("rejects duplicate handles ignoring case", async () => {
    const handle = uniqueHandle("dup");
    await signup(handle);
    const res = await client().call("POST", "/api/auth/signup", { handle: handle.toUpperCase(), password: "long enough" });
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe("handle_taken");
  });

  it.each([
    [{ handle: "ab", password: "long enough" }, ["handle"]],
    [{ handle: "bad-handle!", password: "long enough" }, ["handle"]],
    [{ handle: "fine_name", password: "short" }, ["password"]],
    [{ password: "long enough" }, ["handle"]],
    [{ handle: 12345, password: 1 }, ["handle", "password"]],
  ])("names the invalid fields of %j", async (body, fields) => {
    const res = await client().call("POST", "/api/auth/signup", body);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("invalid_input");
    expect(res.json.error.fields).toEqual(fields);
  });

  it("answers malformed JSON with invalid_json", async () => {
    const res = await client().call("POST", "/api/auth/signup", "{not json");
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("invalid_json");
  });

  it("throttles repeated failed logins for a handle", async () => {
    const user = await signup();
    const c = client();
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      codes.push((await c.call("POST", "/api/auth/login", { handle: user.handle, password: "wrong password" })).json.error.code);
    }
    expect(codes.slice(0, 5)).toEqual(Array(5).fill("invalid_credentials"));
    expect(codes[5]).toBe("too_many_attempts");
    const right = await c.call("POST", "/api/auth/login", { handle: user.handle, password: "correct horse" });
    expect(right.status).toBe(429);
  });

  it("refuses a session cookie sent from another origin", async () => {
    const user = await signup();
    const res = await SELF.fetch("http://localhost/api/users/nobody_here/follow", {
      method: "POST",
      headers: { Cookie: user.cookie, Origin: "https://evil.example" },
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.code).toBe("bad_origin");
  });

  it("rejects a forged session token", async () => {
    const c = client();
    c.cookie = "spaces_session=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.";
    expect((await c.call("GET", "/api/me")).status).toBe(401);
  });

  it("gives unknown API paths a JSON 404", async () => {
    const res = await client().call("GET", "/api/no/such/thing");
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe("not_found");
  });
});
