// Helpers for worker tests: JSON calls through SELF with a cookie jar per user, and quick account setup.
import { env, SELF } from "cloudflare:test";

export const ORIGIN = "http://localhost";

export type Client = {
  cookie: string;
  call: (method: string, path: string, body?: unknown) => Promise<{ status: number; json: any; headers: Headers }>;
};

/** Each test client is a person on their own network (CF-Connecting-IP), as per-address limits see people. */
export function client(): Client {
  const address = `10.${randomOctet()}.${randomOctet()}.${randomOctet()}`;
  const self: Client = {
    cookie: "",
    async call(method, path, body) {
      const headers: Record<string, string> = { Origin: ORIGIN, "CF-Connecting-IP": address };
      if (self.cookie) headers.Cookie = self.cookie;
      if (body !== undefined) headers["Content-Type"] = "application/json";
      const response = await SELF.fetch(`${ORIGIN}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const setCookie = response.headers.get("Set-Cookie");
      if (setCookie) self.cookie = setCookie.split(";")[0]!;
      const text = await response.text();
      let json: any = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = { raw: text };
      }
      return { status: response.status, json, headers: response.headers };
    },
  };
  return self;
}

const randomOctet = () => 1 + Math.floor(Math.random() * 254);

let counter = 0;
export function uniqueHandle(prefix = "u"): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36).slice(-5)}${counter}`.slice(0, 15);
}

export async function signup(handle = uniqueHandle()): Promise<Client & { handle: string; id: string }> {
  const c = client();
  const res = await c.call("POST", "/api/auth/signup", { handle, password: "correct horse" });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.json)}`);
  return Object.assign(c, { handle, id: res.json.user.id as string });
}

/** Gives a user `n` followers straight in D1 (generated accounts a month old, so they count toward hosting). */
export async function addFollowers(userId: string, n: number): Promise<void> {
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < n; i++) {
    const id = crypto.randomUUID();
    statements.push(
      env.DB.prepare(
        "INSERT INTO users (id, handle, display_name, password_hash, password_salt, calendar_token, created_at) VALUES (?, ?, ?, 'x', 'x', ?, ?)",
      ).bind(id, `f_${id.slice(0, 12)}`, "Follower", id, Date.now() - 30 * 86_400_000),
      env.DB.prepare("INSERT INTO follows (follower_id, followee_id) VALUES (?, ?)").bind(id, userId),
    );
  }
  for (let i = 0; i < statements.length; i += 200) await env.DB.batch(statements.slice(i, i + 200));
}

/** A signed-up user who may host (HOST_MIN_FOLLOWERS followers). */
export async function host(): Promise<Client & { handle: string; id: string }> {
  const h = await signup(uniqueHandle("h"));
  await addFollowers(h.id, Number(env.HOST_MIN_FOLLOWERS));
  return h;
}
