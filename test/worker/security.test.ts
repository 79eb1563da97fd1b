// Security findings fixed, each checked through the real Worker and D1: login throttling that parallel guesses cannot
// beat, limited per address so an attacker cannot keep the owner out; signups limited per address; sessions that
// end server-side at logout and on a password change, tokens without an expiry refused; only seasoned followers count toward hosting;
// every one of these limits is a setting.
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { decodeJwt, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index.ts";
import { client, ORIGIN, signup, uniqueHandle } from "./helpers.ts";
import { runCron } from "./spaces-support.ts";

/** A JSON POST from a given address (Cloudflare's CF-Connecting-IP header). */
function postFrom(address: string, path: string, body: unknown) {
  return SELF.fetch(`${ORIGIN}${path}`, {
    method: "POST",
    headers: { Origin: ORIGIN, "Content-Type": "application/json", "CF-Connecting-IP": address },
    body: JSON.stringify(body),
  });
}

async function login(handle: string, password: string, address: string) {
  const response = await postFrom(address, "/api/auth/login", { handle, password });
  const body = (await response.json()) as { error?: { code: string } };
  return { status: response.status, code: body.error?.code ?? "ok", retryAfter: response.headers.get("Retry-After") };
}

describe("login throttling", () => {
  it("40 parallel wrong guesses get 5 password checks; the right password from that address is then refused", async () => {
    const owner = await signup();
    const guesses = await Promise.all(Array.from({ length: 40 }, (_, i) => login(owner.handle, `wrong guess ${i}`, "203.0.113.7")));
    const codes = guesses.map((guess) => guess.code);
    expect(codes.filter((code) => code === "invalid_credentials")).toHaveLength(5);
    expect(codes.filter((code) => code === "too_many_attempts")).toHaveLength(35);
    const right = await login(owner.handle, "correct horse", "203.0.113.7");
    expect([right.status, right.code]).toEqual([429, "too_many_attempts"]);
    expect(Number(right.retryAfter)).toBeGreaterThan(0);
  });

  it("an attacker's guesses lock their own address only: the owner still gets in from theirs", async () => {
    const owner = await signup();
    for (let i = 0; i < 6; i++) await login(owner.handle, "wrong guess", "198.51.100.20");
    expect((await login(owner.handle, "wrong guess", "198.51.100.20")).code).toBe("too_many_attempts");
    expect(await login(owner.handle, "correct horse", "192.0.2.55")).toMatchObject({ status: 200, code: "ok" });
  });

  it("one address trying many handles is stopped after 20 failures; other addresses are not", async () => {
    const owner = await signup();
    const codes: string[] = [];
    for (let i = 0; i < 21; i++) codes.push((await login(uniqueHandle("spray"), "password1", "198.51.100.99")).code);
    expect(codes.slice(0, 20)).toEqual(Array(20).fill("invalid_credentials"));
    expect(codes[20]).toBe("too_many_attempts");
    expect((await login(owner.handle, "correct horse", "198.51.100.99")).code).toBe("too_many_attempts");
    expect((await login(owner.handle, "correct horse", "192.0.2.56")).code).toBe("ok");
  });

  it("a right password gives the address its attempt back, so signing in often never locks anyone", async () => {
    const owner = await signup();
    for (let i = 0; i < 25; i++) expect((await login(owner.handle, "correct horse", "192.0.2.77")).code).toBe("ok");
  });
});

describe("signup limits", () => {
  it("one address makes 10 accounts an hour; the 11th is refused with Retry-After, other addresses are not", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await postFrom("203.0.113.50", "/api/auth/signup", { handle: uniqueHandle("mint"), password: "long enough" })).status);
    }
    expect(statuses).toEqual([...Array(10).fill(201), 429]);
    const refused = await postFrom("203.0.113.50", "/api/auth/signup", { handle: uniqueHandle("mint"), password: "long enough" });
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("too_many_signups");
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(3000);
    expect((await postFrom("203.0.113.51", "/api/auth/signup", { handle: uniqueHandle("other"), password: "long enough" })).status).toBe(201);
  });

  it("parallel signups from one address are counted one by one", async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, () => postFrom("203.0.113.60", "/api/auth/signup", { handle: uniqueHandle("race"), password: "long enough" })),
    );
    expect(results.filter((response) => response.status === 201)).toHaveLength(10);
    expect(results.filter((response) => response.status === 429)).toHaveLength(20);
  });
});

describe("sessions", () => {
  it("logout ends the session itself: a copy of the old cookie no longer signs anyone in", async () => {
    const ana = await signup();
    const stolen = client();
    stolen.cookie = ana.cookie;
    expect((await stolen.call("GET", "/api/me")).status).toBe(200);
    expect((await ana.call("POST", "/api/auth/logout")).status).toBe(200);
    expect((await stolen.call("GET", "/api/me")).status).toBe(401);
    expect((await stolen.call("GET", "/api/auth/session")).json).toEqual({ user: null });
  });

  it("a password change ends every other session; this browser stays in, and only the new password works", async () => {
    const ana = await signup();
    const otherBrowser = client();
    expect((await otherBrowser.call("POST", "/api/auth/login", { handle: ana.handle, password: "correct horse" })).status).toBe(200);
    const wrong = await ana.call("POST", "/api/auth/password", { currentPassword: "not it", newPassword: "battery staple" });
    expect([wrong.status, wrong.json.error.code]).toEqual([403, "wrong_password"]);
    expect((await ana.call("POST", "/api/auth/password", { currentPassword: "correct horse", newPassword: "battery staple" })).status).toBe(200);
    expect((await otherBrowser.call("GET", "/api/me")).status).toBe(401);
    expect((await ana.call("GET", "/api/me")).status).toBe(200);
    expect((await client().call("POST", "/api/auth/login", { handle: ana.handle, password: "correct horse" })).status).toBe(401);
    expect((await client().call("POST", "/api/auth/login", { handle: ana.handle, password: "battery staple" })).status).toBe(200);
  });

  it("the cron clears expired session rows and keeps live ones", async () => {
    const ana = await signup();
    await env.DB.prepare("INSERT INTO sessions (id, user_id, expires_at) VALUES ('expired-one', ?, ?)").bind(ana.id, Date.now() - 1000).run();
    await runCron();
    const rows = await env.DB.prepare("SELECT id FROM sessions WHERE user_id = ?").bind(ana.id).all<{ id: string }>();
    expect(rows.results.map((row) => row.id)).not.toContain("expired-one");
    expect(rows.results).toHaveLength(1);
    expect((await ana.call("GET", "/api/me")).status).toBe(200);
  });

  it("a session token without an expiry is refused, though the same claims with one are accepted", async () => {
    const ana = await signup();
    const claims = decodeJwt(ana.cookie.replace("spaces_session=", ""));
    const key = new TextEncoder().encode(env.SESSION_SECRET);
    const unsigned = () =>
      new SignJWT({ sid: claims.sid }).setProtectedHeader({ alg: "HS256" }).setSubject(ana.id).setIssuer(String(claims.iss)).setAudience(String(claims.aud)).setIssuedAt();
    const forever = client();
    forever.cookie = `spaces_session=${await unsigned().sign(key)}`;
    expect((await forever.call("GET", "/api/me")).status).toBe(401);
    const expiring = client();
    expiring.cookie = `spaces_session=${await unsigned().setExpirationTime("1h").sign(key)}`;
    expect((await expiring.call("GET", "/api/me")).status).toBe(200);
  });
});

describe("host gate", () => {
  it("600 followers with accounts made today do not make a host; the same accounts 8 days later do", async () => {
    const climber = await signup();
    const ids = Array.from({ length: Number(env.HOST_MIN_FOLLOWERS) }, () => crypto.randomUUID());
    const user = env.DB.prepare("INSERT INTO users (id, handle, display_name, password_hash, password_salt, calendar_token) VALUES (?, ?, 'Throwaway', 'x', 'x', ?)");
    const follow = env.DB.prepare("INSERT INTO follows (follower_id, followee_id) VALUES (?, ?)");
    for (let i = 0; i < ids.length; i += 100) {
      await env.DB.batch(ids.slice(i, i + 100).flatMap((id) => [user.bind(id, `t_${id.slice(0, 12)}`, `cal-${id}`), follow.bind(id, climber.id)]));
    }
    const me = await climber.call("GET", "/api/me");
    expect([me.json.user.followers, me.json.user.hostEligibleFollowers, me.json.user.canHost]).toEqual([ids.length, 0, false]);
    const refused = await climber.call("POST", "/api/spaces", { title: "Pumped up" });
    expect([refused.status, refused.json.error.code]).toEqual([403, "host_not_eligible"]);
    expect(refused.json.error.message).toContain("7 days old");

    await env.DB.prepare("UPDATE users SET created_at = ? WHERE display_name = 'Throwaway'").bind(Date.now() - 8 * 86_400_000).run();
    const grown = (await climber.call("GET", "/api/me")).json.user;
    expect([grown.hostEligibleFollowers, grown.canHost]).toEqual([ids.length, true]);
    expect((await climber.call("POST", "/api/spaces", { title: "Grown up" })).status).toBe(201);
  });
});

describe("limits as settings", () => {
  /** A JSON POST straight into the Worker with these vars changed, as wrangler.toml or the dashboard would set them. */
  async function postWith(vars: Partial<Env>, address: string, path: string, body: unknown) {
    const ctx = createExecutionContext();
    const response = await worker.fetch(
      new Request(`${ORIGIN}${path}`, {
        method: "POST",
        headers: { Origin: ORIGIN, "Content-Type": "application/json", "CF-Connecting-IP": address },
        body: JSON.stringify(body),
      }),
      { ...env, ...vars },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return ((await response.json()) as { error?: { code: string } }).error?.code ?? "ok";
  }

  it("LOGIN_MAX_FAILURES sets the lockout: with 2, the third wrong guess from one address is refused", async () => {
    const owner = await signup();
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) codes.push(await postWith({ LOGIN_MAX_FAILURES: "2" }, "203.0.113.90", "/api/auth/login", { handle: owner.handle, password: "wrong guess" }));
    expect(codes).toEqual(["invalid_credentials", "invalid_credentials", "too_many_attempts"]);
  });

  it("SIGNUPS_PER_ADDRESS_PER_HOUR sets the signup limit: with 1, the second account from one address is refused", async () => {
    const signupFrom = () => postWith({ SIGNUPS_PER_ADDRESS_PER_HOUR: "1" }, "203.0.113.91", "/api/auth/signup", { handle: uniqueHandle("set"), password: "long enough" });
    expect([await signupFrom(), await signupFrom()]).toEqual(["ok", "too_many_signups"]);
  });
});
