// The e2e setup for files that follow audio from a browser's mic through the media object: the SFU stand-in
// (adapters), the pocketsphinx stand-in, a stack wired to both, a temp dir for WAVs, and the Chromiums a test
// launches; all are stopped and removed after the file's tests.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import type { Browser } from "playwright-core";
import { launchChromium } from "../../../dev/browser/chromium.ts";
import { startSfu, type RunningSfu } from "../../../dev/sfu/server.ts";
import { ensureLocalSecrets } from "../../../dev/stack.ts";
import { startSttStandIn, type RunningStt } from "../../../dev/stt/server.ts";
import { startTestStack, type Stack } from "./stack.ts";

type EventSink = (event: string, fields: Record<string, unknown>) => void;

export type MediaStackOptions = {
  /** The Calls app id (one per file, so the SFU's logs say which test they belong to); also names the temp dir. */
  appId: string;
  onAdapterEvent?: EventSink;
  onSttEvent?: EventSink;
};

export type MediaStack = {
  stack: Stack;
  sfu: RunningSfu;
  stt: RunningStt;
  tempDir: string;
  /** A Chromium (with `fakeAudioFile` as its mic, if given), closed after the file's tests. */
  launch(fakeAudioFile?: string): Promise<Browser>;
};

export function useMediaStack(options: MediaStackOptions): MediaStack {
  const browsers: Browser[] = [];
  const shared = {
    launch: async (fakeAudioFile?: string) => {
      const browser = await launchChromium({ fakeAudioFile });
      browsers.push(browser);
      return browser;
    },
  } as MediaStack;
  before(async () => {
    shared.tempDir = await mkdtemp(join(tmpdir(), `${options.appId}-`));
    const { appId, onAdapterEvent, onSttEvent } = options;
    shared.sfu = await startSfu({ appId, appSecret: ensureLocalSecrets().CALLS_APP_SECRET!, onAdapterEvent });
    shared.stt = await startSttStandIn({ onEvent: onSttEvent });
    shared.stack = await startTestStack({ CALLS_API_BASE: shared.sfu.url, CALLS_APP_ID: appId, STT_WS_URL: shared.stt.url });
  });
  after(async () => {
    await Promise.allSettled(browsers.map((browser) => browser.close()));
    await shared.stack?.stop();
    await Promise.allSettled([shared.sfu?.close(), shared.stt?.close()]);
    if (shared.tempDir) await rm(shared.tempDir, { recursive: true, force: true });
  });
  return shared;
}
