// Security headers on every Worker response: CSP (script hashes, no 'unsafe-inline'), framing rules (only /embed/*
// may be framed by other sites), nosniff, Referrer-Policy, Permissions-Policy, and HSTS everywhere but loopback.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context.ts";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Pages other sites may put in an iframe: the embeds, and nothing else. */
export function isFrameablePath(pathname: string): boolean {
  return pathname.startsWith("/embed/");
}

/**
 * The one inline style attribute the app renders: SvelteKit's route announcer (its root.svelte, checked against the
 * installed SvelteKit by test/unit/security-headers.test.ts). Allowed by hash with 'unsafe-hashes', which admits only
 * this exact attribute value; Svelte sets every other dynamic style through CSSOM, which CSP does not restrict.
 */
export const SVELTEKIT_ANNOUNCER_STYLE =
  "position: absolute; left: 0; top: 0; clip: rect(0 0 0 0); clip-path: inset(50%); overflow: hidden; white-space: nowrap; width: 1px; height: 1px";

/** The "sha256-…" source expression of a script or style text. */
export async function cspHash(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return `sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}`;
}

let announcerHash: Promise<string> | null = null;

/**
 * The document policy for the web app's HTML. Scripts: our own files plus the exact inline bootstrap SvelteKit writes
 * into index.html (by hash). Styles: our own files and the announcer's attribute.
 */
export async function documentPolicy(scriptHashes: string[], frameable: boolean): Promise<string> {
  announcerHash ??= cspHash(SVELTEKIT_ANNOUNCER_STYLE);
  return [
    "default-src 'self'",
    `script-src 'self' ${scriptHashes.map((hash) => `'${hash}'`).join(" ")}`.trim(),
    `style-src 'self' 'unsafe-hashes' '${await announcerHash}'`,
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "font-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameable ? "*" : "'none'"}`,
  ].join("; ");
}

/** API answers: nothing may run from them or frame them. */
const API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
/** Other files (icons, the service worker, whose own fetches this policy governs): same-origin only. */
const FILE_POLICY = "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/** Headers for one response; `csp` is the Content-Security-Policy to send. */
export function securityHeaders(url: URL, csp: string): Record<string, string> {
  const headers: Record<string, string> = {
    "Content-Security-Policy": csp,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "microphone=(self), camera=(), geolocation=(), payment=()",
  };
  if (!isFrameablePath(url.pathname)) headers["X-Frame-Options"] = "DENY";
  // Browsers ignore HSTS over plain http anyway; on loopback it would only pin a developer's localhost to https.
  if (!LOOPBACK_HOSTS.has(url.hostname)) headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains";
  return headers;
}

/**
 * Adds the headers to whatever the routes answered. Responses that already carry a CSP (the app's HTML, built with
 * its script hashes in pages.ts) keep it; WebSocket upgrades pass through untouched.
 */
export const withSecurityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (c.res.status === 101 || c.res.webSocket) return;
  const url = new URL(c.req.url);
  const csp = c.res.headers.get("Content-Security-Policy") ?? (url.pathname.startsWith("/api/") ? API_POLICY : FILE_POLICY);
  const response = new Response(c.res.body, c.res);
  for (const [name, value] of Object.entries(securityHeaders(url, csp))) response.headers.set(name, value);
  c.res = undefined;
  c.res = response;
};
