// Screenshots of every page at phone (390×844) and desktop (1280×800), light and dark, against a fresh seeded stack.
// `node dev/screens.ts dev/screens/after [scene,scene]` (build the web app first; the optional list retakes only those
// scenes); used for before/after design reviews.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { APIRequestContext, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "./browser/chromium.ts";
import { pageLoaded } from "./browser/page-loaded.ts";
import { ROOT, startStack } from "./stack.ts";

const outDir = join(ROOT, process.argv[2] ?? "dev/screens/after");
const VIEWPORTS = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1280, height: 800 },
] as const;
const SCHEMES = ["light", "dark"] as const;
const only = process.argv[3]?.split(",");

const stack = await startStack({ build: false, freshDatabase: true });
const browser = await launchChromium();

async function signedIn(handle: string | null, options: Parameters<typeof browser.newContext>[0] = {}): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  if (handle) {
    const response = await context.request.post(`${stack.url}/api/auth/login`, {
      data: { handle, password: "spaces-dev" },
      headers: { Origin: stack.url },
    });
    if (!response.ok()) throw new Error(`login ${handle}: ${response.status()}`);
  }
  return context;
}

async function call(request: APIRequestContext, method: "post", path: string, data: unknown = {}) {
  const response = await request[method](`${stack.url}/api${path}`, { data, headers: { Origin: stack.url } });
  if (!response.ok()) throw new Error(`${path}: ${response.status()} ${await response.text()}`);
  return response.json();
}

/** Draws a simple picture in the page (a gradient with a disc) and makes it the signed-in person's avatar. */
async function uploadPicture(page: Page, colours: [string, string]): Promise<void> {
  await page.goto(stack.url);
  const status = await page.evaluate(async ([from, to]) => {
    const canvas = new OffscreenCanvas(256, 256);
    const context = canvas.getContext("2d")!;
    const gradient = context.createLinearGradient(0, 0, 256, 256);
    gradient.addColorStop(0, from);
    gradient.addColorStop(1, to);
    context.fillStyle = gradient;
    context.fillRect(0, 0, 256, 256);
    context.fillStyle = "rgb(255 255 255 / 0.85)";
    context.beginPath();
    context.arc(128, 104, 52, 0, 2 * Math.PI);
    context.arc(128, 300, 110, 0, 2 * Math.PI);
    context.fill();
    const body = await canvas.convertToBlob({ type: "image/png" });
    return (await fetch("/api/me/avatar", { method: "PUT", headers: { "Content-Type": "image/png" }, body })).status;
  }, colours);
  if (status !== 200) throw new Error(`avatar upload: ${status}`);
}

try {
  mkdirSync(outDir, { recursive: true });
  const host = await signedIn("host");
  const live = (await call(host.request, "post", "/spaces", { title: "Late night product talk" })).space;
  await call(host.request, "post", `/spaces/${live.id}/start`);
  const ticketed = (
    await call(host.request, "post", "/spaces", {
      title: "Paid masterclass",
      scheduledFor: Date.now() + 2 * 3600_000,
      ticket: { priceCents: 500, currency: "usd", capacity: 20 },
    })
  ).space;
  const long = (await call(host.request, "post", "/spaces", { title: "A".repeat(100) })).space;

  // Keep the host and a listener in the live room so the room pages show people; both have profile pictures (Ana,
  // who looks at the room, keeps her initials, the fallback).
  const hostRoom = await (await signedIn("host")).newPage();
  await uploadPicture(hostRoom, ["#7c3aed", "#f59e0b"]);
  await hostRoom.goto(`${stack.url}/spaces/${live.id}`);
  const benRoom = await (await signedIn("ben")).newPage();
  await uploadPicture(benRoom, ["#0e7490", "#a3e635"]);
  await benRoom.goto(`${stack.url}/spaces/${live.id}`);
  await benRoom.getByTestId("stage-host").waitFor();

  const scenes: { name: string; who: string | null; path: string; captions?: true }[] = [
    { name: "home-signed-out", who: null, path: "/" },
    { name: "login", who: null, path: "/login" },
    { name: "signup", who: null, path: "/signup" },
    { name: "home", who: "ana", path: "/" },
    { name: "spaces", who: "ana", path: "/spaces" },
    { name: "space-scheduled", who: "ana", path: "/spaces/demo-upcoming" },
    { name: "space-ticketed", who: "ana", path: `/spaces/${ticketed.id}` },
    { name: "space-long-title", who: "host", path: `/spaces/${long.id}` },
    { name: "room-host", who: "host", path: `/spaces/${live.id}` },
    { name: "room-listener", who: "ana", path: `/spaces/${live.id}` },
    // With the CC button on (the browser remembers it): the captions panel heads the desktop listener's right column.
    { name: "room-listener-captions", who: "ana", path: `/spaces/${live.id}`, captions: true },
    { name: "profile", who: "ana", path: "/u/host" },
    { name: "host-form", who: "host", path: "/host" },
    { name: "host-form-below-gate", who: "ana", path: "/host" },
    { name: "earnings", who: "host", path: "/earnings" },
    { name: "your-spaces", who: "host", path: "/me/spaces" },
  ];
  for (const viewport of VIEWPORTS) {
    for (const colorScheme of SCHEMES) {
      for (const scene of scenes.filter((entry) => !only || only.includes(entry.name))) {
        const storageState = scene.captions ? { cookies: [], origins: [{ origin: stack.url, localStorage: [{ name: "spaces.captions", value: "on" }] }] } : undefined;
        const context = await signedIn(scene.who, { viewport, colorScheme, reducedMotion: "reduce", storageState });
        const page = await context.newPage();
        // A first load can be cut short by the app's own start-up navigation; one more try settles it.
        await page.goto(`${stack.url}${scene.path}`).catch(() => page.goto(`${stack.url}${scene.path}`));
        await pageLoaded(page);
        await page.screenshot({ path: join(outDir, `${scene.name}-${viewport.name}-${colorScheme}.png`) });
        await context.close();
      }
    }
  }
  console.log(`screenshots in ${outDir}`);
} finally {
  await browser.close();
  await stack.stop();
  rmSync(stack.persistDir, { recursive: true, force: true });
}
