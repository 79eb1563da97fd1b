// Launches the Debian Chromium through playwright-core with the flags e2e audio tests need, and
// serves a blank page on 127.0.0.1 (a secure context, so getUserMedia and WebRTC work over http).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/lib/chromium/chromium";

const BASE_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--use-fake-ui-for-media-stream",
  "--use-fake-device-for-media-stream",
];

/** "browser-default" passes no flag, leaving Chromium's own policy; the others become `--autoplay-policy=...`. */
export type AutoplayPolicy = "no-user-gesture-required" | "document-user-activation-required" | "browser-default";

/**
 * `fakeAudioFile` becomes this browser's microphone (a WAV, looped by Chromium). Autoplay is allowed unless
 * `autoplayPolicy` says otherwise (tests of the "Tap to listen" path block it).
 */
export function launchChromium(options: { fakeAudioFile?: string; autoplayPolicy?: AutoplayPolicy } = {}): Promise<Browser> {
  const args = [...BASE_FLAGS];
  const autoplay = options.autoplayPolicy ?? "no-user-gesture-required";
  if (autoplay !== "browser-default") args.push(`--autoplay-policy=${autoplay}`);
  if (options.fakeAudioFile) args.push(`--use-file-for-fake-audio-capture=${options.fakeAudioFile}`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args, headless: true });
}

export type PageServer = { url: string; close(): Promise<void> };

/** A blank HTML page; the tests inject their page-side helpers into it. */
export async function startBlankPageServer(): Promise<PageServer> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end("<!doctype html><html><head><title>e2e</title></head><body></body></html>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
