// Listening without an account in Chromium: a guest (never signed in) opens a public live Space, taps to listen and
// hears the host's 440 Hz through the local SFU, with no reactions or hand, only a prompt to sign up; a ticketed
// live Space refuses the same guest (402 ticket_required) and offers only logging in.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../../dev/browser/chromium.ts";
import { tonesProbe } from "../../dev/browser/page-tones.ts";
import { writeToneWav } from "../../dev/browser/wav-tone.ts";
import { loginAs, startTestStack, type Stack } from "./support/stack.ts";

const HOST_HZ = 440;

let stack: Stack;
let tempDir: string;
let hostBrowser: Browser;
let guestBrowser: Browser;

before(async () => {
  tempDir = await mkdtemp(join(tmpdir(), "guest-listening-"));
  stack = await startTestStack();
  [hostBrowser, guestBrowser] = await Promise.all([
    launchChromium({ fakeAudioFile: await writeToneWav(tempDir, HOST_HZ) }),
    launchChromium(),
  ]);
});

after(async () => {
  await Promise.allSettled([hostBrowser?.close(), guestBrowser?.close()]);
  await stack?.stop();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
});

/** The host goes live with their fake 440 Hz mic from the real pages; returns the Space's id. */
async function hostLive(host: Page, title: string): Promise<string> {
  await host.goto(`${stack.url}/host`);
  await host.getByLabel("Title").fill(title);
  await host.getByRole("button", { name: "Create Space" }).click();
  await host.waitForURL(/\/spaces\/[0-9a-f-]{36}$/);
  await host.getByRole("button", { name: "Start Space now" }).click();
  await host.getByTestId("room-audio").and(host.locator('[data-connection="connected"][data-mic="on"]')).waitFor({ timeout: 15_000 });
  return host.url().split("/").pop()!;
}

test("a guest hears a public Space's 440 Hz without an account, listen-only", async () => {
  const host = await (await hostBrowser.newContext()).newPage();
  await loginAs(host, stack.url, "host");
  const spaceId = await hostLive(host, "Open to everyone");

  const guestContext = await guestBrowser.newContext();
  const guest = await guestContext.newPage();
  await guest.goto(`${stack.url}/spaces/${spaceId}`);
  await guest.getByTestId("listen-as-guest").click();
  await guest.getByTestId("stage-host").waitFor();
  const tones = await tonesProbe(guest);
  assert.ok((await tones.waitForTone(HOST_HZ, "present", 15_000)) !== null, "the guest never heard the host's 440 Hz");
  // Listen-only: the prompt instead of reactions, hand and microphone.
  await guest.getByTestId("guest-prompt").waitFor();
  assert.equal(await guest.getByRole("button", { name: "Request to speak" }).count(), 0);
  assert.equal(await guest.getByTestId("mic-toggle").count(), 0);
  assert.equal(await guest.getByTestId("me-link").count(), 0, "the guest never signed in");
  // On this desktop-wide page the right column tells a guest how to get to speak, not to press a hand they lack.
  const speakCard = guest.getByTestId("room-speak-card");
  await speakCard.waitFor();
  assert.match(await speakCard.innerText(), /Guests listen only\. Sign up or log in/);
  assert.doesNotMatch(await speakCard.innerText(), /hand button/);
  // The host's room counts the guest as a listener.
  await host.getByTestId("listener-count").filter({ hasText: /\b1 listener\b/ }).waitFor({ timeout: 10_000 });
  await guestContext.close();
  await host.getByTestId("leave").click();
});

test("a guest is refused on a ticketed live Space", async () => {
  const host = await (await hostBrowser.newContext()).newPage();
  await loginAs(host, stack.url, "host");
  const created = await host.request.post(`${stack.url}/api/spaces`, {
    headers: { Origin: stack.url },
    data: { title: "Paid only", ticket: { priceCents: 500, currency: "usd", capacity: 10 } },
  });
  assert.equal(created.status(), 201);
  const spaceId = ((await created.json()) as { space: { id: string } }).space.id;
  const started = await host.request.post(`${stack.url}/api/spaces/${spaceId}/start`, { headers: { Origin: stack.url } });
  assert.equal(started.status(), 200);

  const guestContext = await guestBrowser.newContext();
  const guest = await guestContext.newPage();
  await guest.goto(`${stack.url}/spaces/${spaceId}`);
  await guest.getByTestId("guest-entry").getByText("This Space needs a ticket").waitFor();
  assert.equal(await guest.getByTestId("listen-as-guest").count(), 0);
  const join = await guest.request.post(`${stack.url}/api/spaces/${spaceId}/join`, { headers: { Origin: stack.url } });
  assert.equal(join.status(), 402);
  assert.equal(((await join.json()) as { error: { code: string } }).error.code, "ticket_required");
  await guest.goto(`${stack.url}/embed/spaces/${spaceId}`);
  await guest.locator('[data-testid="embed-access"][data-access="sign_in"]').waitFor();
  await guestContext.close();
});
