// Security headers through the real Worker: the app's HTML (CSP naming the inline bootstrap by hash, no
// 'unsafe-inline', framing refused), the embed pages (framable by any site), API answers, errors, and HSTS off loopback.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ORIGIN } from "./helpers.ts";

const directives = (csp: string | null) =>
  new Map((csp ?? "").split(";").map((part) => part.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return `'sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}'`;
}

function expectCommonHeaders(headers: Headers): void {
  expect(headers.get("X-Content-Type-Options")).toBe("nosniff");
  expect(headers.get("Referrer-Policy")).toBe("strict-origin-when-cross-origin");
  expect(headers.get("Permissions-Policy")).toContain("microphone=(self)");
}

describe("security headers", () => {
  it("the app's pages get a script-hash CSP without 'unsafe-inline' and refuse to be framed", async () => {
    for (const path of ["/", "/spaces", "/login", "/u/nobody_here"]) {
      const response = await SELF.fetch(`${ORIGIN}${path}`);
      const html = await response.text();
      expect(response.status).toBe(200);
      expectCommonHeaders(response.headers);
      const csp = response.headers.get("Content-Security-Policy");
      expect(csp).not.toContain("unsafe-inline");
      expect(csp).not.toContain("unsafe-eval");
      const policy = directives(csp);
      expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
      expect(response.headers.get("X-Frame-Options")).toBe("DENY");
      expect(policy.get("object-src")).toEqual(["'none'"]);
      // Styles: own files, plus exactly one attribute value by hash (SvelteKit's route announcer).
      expect(policy.get("style-src")).toEqual(["'self'", "'unsafe-hashes'", expect.stringMatching(/^'sha256-[A-Za-z0-9+/]{43}='$/)]);
      // Every inline script of the served page is named by its exact hash; nothing else inline may run.
      const inline = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
      expect(inline.length).toBeGreaterThan(0);
      const allowed = policy.get("script-src")!;
      expect(allowed[0]).toBe("'self'");
      expect(allowed.slice(1).sort()).toEqual((await Promise.all(inline.map(sha256))).sort());
      // The app shell has no inline style attribute for the CSP to block.
      expect(html).not.toMatch(/\sstyle="/);
    }
  });

  it("the embed pages may be framed by any site, and only they", async () => {
    for (const path of ["/embed/u/host", "/embed/spaces/00000000-0000-4000-8000-000000000000"]) {
      const response = await SELF.fetch(`${ORIGIN}${path}`);
      await response.text();
      expect(directives(response.headers.get("Content-Security-Policy")).get("frame-ancestors")).toEqual(["*"]);
      expect(response.headers.get("X-Frame-Options")).toBeNull();
      expectCommonHeaders(response.headers);
    }
    const lookalike = await SELF.fetch(`${ORIGIN}/embedded`);
    await lookalike.text();
    expect(directives(lookalike.headers.get("Content-Security-Policy")).get("frame-ancestors")).toEqual(["'none'"]);
  });

  it("API answers and errors carry the headers too, with a policy that lets nothing run", async () => {
    for (const path of ["/api/health", "/api/no-such-route", "/api/me"]) {
      const response = await SELF.fetch(`${ORIGIN}${path}`);
      await response.json();
      expectCommonHeaders(response.headers);
      const policy = directives(response.headers.get("Content-Security-Policy"));
      expect(policy.get("default-src")).toEqual(["'none'"]);
      expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    }
  });

  it("sends HSTS on a real host name but not on loopback", async () => {
    for (const origin of ["http://localhost", "http://127.0.0.1"]) {
      const response = await SELF.fetch(`${origin}/api/health`);
      await response.json();
      expect(response.headers.get("Strict-Transport-Security")).toBeNull();
    }
    for (const path of ["/api/health", "/"]) {
      const response = await SELF.fetch(`https://spaces.example.com${path}`);
      await response.text();
      expect(response.headers.get("Strict-Transport-Security")).toBe("max-age=63072000; includeSubDomains");
    }
  });
});
