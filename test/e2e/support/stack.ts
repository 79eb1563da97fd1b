// Starts the real local stack (Worker under wrangler dev, local D1 with demo seed, SFU stand-in) for one e2e file,
// plus helpers to log pages in. The web app must be built first (`npm test` does that once).
import { rmSync } from "node:fs";
import { after, before } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../../../dev/browser/chromium.ts";
import { startStack, type Stack } from "../../../dev/stack.ts";

export type { Stack };

export async function startTestStack(vars: Record<string, string> = {}): Promise<Stack> {
  const stack = await startStack({ build: process.env.E2E_BUILD === "1", freshDatabase: true, vars });
  const stop = stack.stop;
  return {
    ...stack,
    stop: async () => {
      await stop();
      rmSync(stack.persistDir, { recursive: true, force: true });
    },
  };
}

export const DEMO_PASSWORD = "spaces-dev";

/** Logs a page in through the real login form. */
export async function loginAs(page: Page, baseUrl: string, handle: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Handle").fill(handle);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByTestId("me-link").waitFor();
}

/** Signs a new account up through the real signup form. */
export async function signUpAs(page: Page, baseUrl: string, handle: string, password = "e2e-password"): Promise<void> {
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel("Handle").fill(handle);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByTestId("me-link").waitFor();
}

export type StackAndBrowser = { stack: Stack; browser: Browser };

/** The usual e2e file setup: one stack and one Chromium for the file, both stopped after its tests. */
export function useStackAndBrowser(): StackAndBrowser {
  const shared = {} as StackAndBrowser;
  before(async () => {
    shared.stack = await startTestStack();
    shared.browser = await launchChromium();
  });
  after(async () => {
    await shared.browser?.close();
    await shared.stack?.stop();
  });
  return shared;
}
