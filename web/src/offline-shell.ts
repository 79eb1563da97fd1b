// The offline shell for the installed app: the service worker caches the SPA's index.html and every build file it
// references at install, and build files as they are used. Pages are network-first (fresh share cards, CSP hashes),
// falling back to the cached shell offline; /api/* is never cached or answered from cache.
const CACHE = "spaces-shell-v1";
const SHELL_URL = "/";
const STATIC_FILES = ["/manifest.webmanifest", "/favicon.svg", "/icons/icon-192.png", "/icons/icon-512.png"];

/** Build files named in the shell's HTML (modulepreload links, the stylesheet, the bootstrap's imports). */
export function shellAssets(html: string): string[] {
  return [...new Set([...html.matchAll(/["'](\/_app\/immutable\/[^"']+)["']/g)].map((match) => match[1]!))];
}

export async function cacheShell(): Promise<void> {
  const cache = await caches.open(CACHE);
  const shell = await fetch(SHELL_URL, { cache: "no-cache" });
  if (!shell.ok) throw new Error(`shell answered ${shell.status}`);
  const html = await shell.clone().text();
  await cache.put(SHELL_URL, shell);
  await cache.addAll([...STATIC_FILES, ...shellAssets(html)]);
}

export async function dropOldCaches(): Promise<void> {
  const names = await caches.keys();
  await Promise.all(names.filter((name) => name.startsWith("spaces-shell-") && name !== CACHE).map((name) => caches.delete(name)));
}

async function networkFirstPage(request: Request): Promise<Response> {
  try {
    const response = await fetch(request);
    if (response.ok && new URL(request.url).pathname === SHELL_URL) {
      const copy = response.clone();
      void caches.open(CACHE).then((cache) => cache.put(SHELL_URL, copy));
    }
    return response;
  } catch (error) {
    const shell = await caches.match(SHELL_URL);
    if (shell) return shell;
    throw error;
  }
}

/** Hashed build files never change under their name: the cache answers, and a miss is fetched and kept. */
async function cacheFirstBuildFile(request: Request): Promise<Response> {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const copy = response.clone();
    void caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

/** The response for a fetch the worker at `origin` handles, or null to let the browser go to the network itself. */
export function respondOfflineFirst(request: Request, origin: string): Promise<Response> | null {
  if (request.method !== "GET") return null;
  const url = new URL(request.url);
  if (url.origin !== origin || url.pathname.startsWith("/api/")) return null;
  if (request.mode === "navigate") return networkFirstPage(request);
  if (url.pathname.startsWith("/_app/immutable/")) return cacheFirstBuildFile(request);
  if (STATIC_FILES.includes(url.pathname)) {
    return fetch(request).catch(async (error: unknown) => (await caches.match(request)) ?? Promise.reject(error));
  }
  return null;
}
