// Live audio through the real pages: the host's fake mic plays 440 Hz, a speaker's 660 Hz; a listener hears both soon
// after joining, the speaking ring lights, a host mute silences 660 Hz until the speaker unmutes, a demotion closes the
// track at the SFU, a listener's publish is refused, and a denied microphone leaves the person on stage, muted.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ensureLocalSecrets } from "../../dev/stack.ts";
import { launchChromium } from "../../dev/browser/chromium.ts";
import { startCountingSfu, type CountingSfu } from "../../dev/sfu/counting-sfu.ts";
import { tonesProbe } from "../../dev/browser/page-tones.ts";
import { waitUntil } from "./support/wait.ts";
import { loginAs, startTestStack, type Stack } from "./support/stack.ts";
import { writeToneWav } from "../../dev/browser/wav-tone.ts";

const HOST_HZ = 440;
const SPEAKER_HZ = 660;

let stack: Stack;
let sfu: CountingSfu;
let tempDir: string;
const browsers: Browser[] = [];
/** The host's page, left open by the first test for the second. */
let hostPage: Page | undefined;

before(async () => {
  tempDir = await mkdtemp(join(tmpdir(), "room-audio-"));
  sfu = await startCountingSfu("e2e-audio", ensureLocalSecrets().CALLS_APP_SECRET!);
  stack = await startTestStack({ CALLS_API_BASE: sfu.url, CALLS_APP_ID: sfu.appId });
});

after(async () => {
  await Promise.allSettled(browsers.map((browser) => browser.close()));
  await stack?.stop();
  await sfu?.close();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
});

async function browserWithMic(frequency?: number): Promise<Browser> {
  const browser = await launchChromium({ fakeAudioFile: frequency ? await writeToneWav(tempDir, frequency) : undefined });
  browsers.push(browser);
  return browser;
}

async function personPage(browser: Browser, handle: string, options: { denyMicrophone?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext();
  if (options.denyMicrophone) {
    await context.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
    });
  }
  const page = await context.newPage();
  await loginAs(page, stack.url, handle);
  return page;
}

const audioState = (page: Page) => page.getByTestId("room-audio");

/** Opens the host's menu for someone on stage (if it is not open already) and picks an action. */
async function moderate(host: Page, handle: string, action: string): Promise<void> {
  const entry = host.getByTestId(`stage-${handle}`);
  const open = await entry.locator("details").evaluate((menu) => (menu as HTMLDetailsElement).open);
  if (!open) await entry.getByText("Manage").click();
  await entry.getByRole("button", { name: action, exact: true }).click();
}

async function publishedTrackOf(listener: Page, handle: string): Promise<{ sessionId: string; trackName: string }> {
  const userId = `demo-${handle}`;
  const element = listener.locator(`audio[data-testid="remote-audio"][data-user-id="${userId}"]`);
  await element.waitFor({ state: "attached" });
  return { sessionId: (await element.getAttribute("data-session-id"))!, trackName: (await element.getAttribute("data-track-name"))! };
}

async function sfuStatus(track: { sessionId: string; trackName: string }): Promise<string | undefined> {
  const session = await sfu.calls.getSession(track.sessionId);
  assert.ok(session.ok, "getSession failed");
  return session.value.tracks.find((t) => t.location === "local" && t.trackName === track.trackName)?.status;
}

test("listeners hear the stage, and moderation silences the right person at the SFU", async () => {
  const [hostBrowser, speakerBrowser] = await Promise.all([browserWithMic(HOST_HZ), browserWithMic(SPEAKER_HZ)]);
  const host = await personPage(hostBrowser, "host");
  hostPage = host;
  await host.goto(`${stack.url}/host`);
  await host.getByLabel("Title").fill("Audio e2e");
  await host.getByRole("button", { name: "Create Space" }).click();
  await host.waitForURL(/\/spaces\/[0-9a-f-]{36}$/);
  const spaceUrl = host.url();
  const spaceId = spaceUrl.split("/").pop()!;
  await host.getByRole("button", { name: "Start Space now" }).click();
  await audioState(host).and(host.locator('[data-connection="connected"][data-mic="on"]')).waitFor({ timeout: 15_000 });

  const ana = await personPage(speakerBrowser, "ana");
  await ana.goto(spaceUrl);
  await ana.getByRole("button", { name: "Request to speak" }).click();
  await host.getByRole("button", { name: "Approve Ana Listener" }).click();
  await ana.getByTestId("mic-toggle").filter({ hasText: "Unmute" }).click();
  await ana.getByTestId("stage-ana").and(ana.locator('[data-muted="false"]')).waitFor();
  await audioState(ana).and(ana.locator('[data-mic="on"]')).waitFor();

  // The listener joins; the clock runs from opening the page to hearing both tones in what it receives.
  const ben = await personPage(speakerBrowser, "ben");
  const callsBefore = sfu.total();
  const joinStarted = Date.now();
  await ben.goto(spaceUrl);
  await ben.getByTestId("stage-host").waitFor();
  const tones = await tonesProbe(ben);
  const [heardHost, heardSpeaker] = await Promise.all([
    tones.waitForTone(HOST_HZ, "present", 10_000),
    tones.waitForTone(SPEAKER_HZ, "present", 10_000),
  ]);
  assert.ok(heardHost !== null, "the listener never heard the host's 440 Hz");
  assert.ok(heardSpeaker !== null, "the listener never heard the speaker's 660 Hz");
  console.log(JSON.stringify({ event: "audio_join", joinToBothTonesMs: Math.max(heardHost, heardSpeaker) - joinStarted, listenerCalls: sfu.total() - callsBefore, calls: sfu.counts() }));
  assert.ok((await tones.presenceOver(HOST_HZ, 500, "demo-host")) > 0.8, "440 Hz is not on the host's own stream");
  await ben.locator('[data-testid="stage-host"].speaking').waitFor({ timeout: 5_000 });

  // A host mute: the speaker's browser stops sending, so 660 Hz goes while 440 Hz stays, and it stays muted.
  await moderate(host, "ana", "Mute");
  assert.ok((await tones.waitForTone(SPEAKER_HZ, "absent", 5_000)) !== null, "660 Hz still heard after the host muted the speaker");
  assert.ok((await tones.presenceOver(SPEAKER_HZ, 1_500)) < 0.05, "660 Hz came back while muted by the host");
  assert.ok((await tones.presenceOver(HOST_HZ, 500)) > 0.8, "440 Hz was lost with the mute");
  await ana.getByText("The host muted you").waitFor();
  await ana.locator('[data-testid="stage-ana"]:not(.speaking)').waitFor({ timeout: 3_000 });

  // Only the speaker lifts a host mute.
  await ana.getByTestId("mic-toggle").filter({ hasText: "Unmute" }).click();
  assert.ok((await tones.waitForTone(SPEAKER_HZ, "present", 5_000)) !== null, "660 Hz not back after the speaker unmuted");

  // A demotion closes the speaker's track at the SFU itself, and the listener stops hearing it.
  const speakerTrack = await publishedTrackOf(ben, "ana");
  assert.equal(await sfuStatus(speakerTrack), "active");
  // Checked well inside the SFU's 3 s silence window, so a closed track cannot pass for one that merely went quiet.
  await moderate(host, "ana", "Move to listeners");
  const status = await waitUntil(() => sfuStatus(speakerTrack), (now) => now === "inactive", 1_500);
  assert.equal(status, "inactive", "the demoted speaker's track is still open at the SFU");
  await ben.getByTestId("stage-ana").waitFor({ state: "detached" });
  assert.ok((await tones.waitForTone(SPEAKER_HZ, "absent", 5_000)) !== null, "660 Hz still heard after the demotion");

  // A listener's publish attempt is refused by the Worker, with the listener's real session cookie.
  const refused = await ben.evaluate(async (id) => {
    const post = (step: string, body: unknown) =>
      fetch(`/api/spaces/${id}/audio/${step}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const session = (await (await post("session", {})).json()) as { sessionToken: string };
    const pc = new RTCPeerConnection();
    pc.addTransceiver("audio", { direction: "sendonly" });
    await pc.setLocalDescription(await pc.createOffer());
    const response = await post("publish", { sessionToken: session.sessionToken, offer: pc.localDescription!.sdp, mid: "0" });
    pc.close();
    return { status: response.status, body: (await response.json()) as { error: { code: string } } };
  }, spaceId);
  assert.deepEqual([refused.status, refused.body.error.code], [403, "forbidden"]);
  await ben.context().close();
});

test("a speaker whose microphone is denied gets a clear message and stays on stage, muted", async () => {
  const host = hostPage;
  assert.ok(host, "the first test leaves the host's page open");
  const ben = await personPage(browsers[1]!, "ben", { denyMicrophone: true });
  await ben.goto(host.url());
  await ben.getByRole("button", { name: "Request to speak" }).click();
  await host.getByRole("button", { name: "Approve Ben Speaker" }).click();
  await ben.getByTestId("stage-ben").waitFor();
  const alert = ben.getByTestId("mic-problem");
  await alert.getByText("can't use your microphone").waitFor();
  await ben.getByTestId("retry-mic").focus();
  await ben.keyboard.press("Enter");
  await ben.getByTestId("mic-toggle").filter({ hasText: "Unmute" }).press("Enter");
  await alert.getByText("can't use your microphone").waitFor();
  assert.equal(await ben.getByTestId("stage-ben").getAttribute("data-role"), "speaker");
  assert.equal(await host.getByTestId("stage-ben").getAttribute("data-muted"), "true");
});
