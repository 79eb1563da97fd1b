// Clipping a live recorded Space from the room: the host's fake mic plays 440 Hz with recording on; a listener on a
// phone-sized page opens Clip in the bar, takes "last 30 s", gets a link (copied to the clipboard) whose clip holds
// the host's tone and plays on /clips/:id; axe clean and no sideways scroll with the panel open.
import assert from "node:assert/strict";
import { test } from "node:test";
import { playsOnClipPage } from "../../dev/browser/replay-player.ts";
import { writeToneWav } from "../../dev/browser/wav-tone.ts";
import { analyseRecording, decodeToPcm } from "../../dev/replay-audio.ts";
import { seriousViolations } from "./support/axe.ts";
import { useMediaStack } from "./support/media-stack.ts";
import { loginAs } from "./support/stack.ts";
import { waitUntil } from "./support/wait.ts";

const TONE_HZ = 440;
const NOT_STORED = "The recording has not stored that stretch yet. Try again in a few seconds.";

const firstPackets: number[] = [];
const e2e = useMediaStack({
  appId: "e2e-live-clip",
  onAdapterEvent: (event, fields) => {
    if (event === "sfu_adapter_first_packet") firstPackets.push(fields.at as number);
  },
});

test("a listener clips the last 30 s of a live recorded Space and the clip plays on its page", async () => {
  const browser = await e2e.launch(await writeToneWav(e2e.tempDir, TONE_HZ));
  const host = await (await browser.newContext()).newPage();
  await loginAs(host, e2e.stack.url, "host");
  await host.goto(`${e2e.stack.url}/host`);
  await host.getByLabel("Title").fill("Live clip e2e");
  await host.getByRole("button", { name: "Create Space" }).click();
  await host.waitForURL(/\/spaces\/[0-9a-f-]{36}$/);
  const spaceUrl = host.url();
  await host.getByTestId("record-on-start").click();
  await host.locator('[data-testid="record-on-start"][aria-pressed="true"]').waitFor();
  await host.getByRole("button", { name: "Start Space now" }).click();
  await host.getByTestId("room-audio").and(host.locator('[data-connection="connected"][data-mic="on"]')).waitFor({ timeout: 30_000 });

  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: e2e.stack.url });
  const listener = await context.newPage();
  await loginAs(listener, e2e.stack.url, "ana");
  await listener.goto(spaceUrl);
  await listener.getByTestId("rec-badge").waitFor({ timeout: 30_000 });
  const flowing = await waitUntil(async () => firstPackets[0] ?? null, (at) => at !== null, 60_000);
  assert.ok(flowing !== null, "the SFU never sent the host's audio to the media object");

  // The control is in the bar, named for screen readers; its panel opens from the keyboard.
  const toggle = listener.getByRole("button", { name: "Clip", exact: true });
  await toggle.focus();
  await listener.keyboard.press("Enter");
  await listener.getByTestId("live-clip").waitFor();
  assert.equal(await toggle.getAttribute("aria-expanded"), "true");

  // Until the recorder has stored its first part the room says so in plain words; asked again, the clip is made.
  const errors: string[] = [];
  const outcome = await waitUntil(
    async () => {
      await listener.getByTestId("live-clip-30").click();
      await listener.locator('[data-testid="live-clip-link"], [data-testid="live-clip-error"]').first().waitFor({ timeout: 60_000 });
      if ((await listener.getByTestId("live-clip-link").count()) > 0) return "link";
      errors.push((await listener.getByTestId("live-clip-error").textContent()) ?? "");
      return "error";
    },
    (result) => result === "link",
    120_000,
    1_000,
  );
  assert.equal(outcome, "link", `no clip was made: ${JSON.stringify(errors)}`);
  for (const error of errors) assert.equal(error, NOT_STORED);
  assert.equal(await listener.getByTestId("live-clip-status").textContent(), "Clip ready.");
  assert.deepEqual(await seriousViolations(listener), []);
  assert.equal(await listener.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), 0);

  const link = listener.getByTestId("live-clip-link");
  const clipPath = (await link.getAttribute("href"))!;
  assert.match(clipPath, /^\/clips\/[0-9a-f-]{36}$/);
  // Headless Chromium on Linux has no share sheet: the link is copied, whole.
  await listener.getByTestId("live-clip-share").click();
  assert.equal(await listener.getByTestId("live-clip-shared").textContent(), "Link copied.");
  assert.equal(await listener.evaluate(() => navigator.clipboard.readText()), `${e2e.stack.url}${clipPath}`);

  // The clip is of the last 30 s at most, on the Space's timeline, and holds the host's tone.
  const clip = (await (await listener.request.get(`${e2e.stack.url}/api${clipPath}`)).json()) as { clip: { audioUrl: string; durationMs: number } };
  assert.ok(clip.clip.durationMs > 0 && clip.clip.durationMs <= 30_000, `the clip lasts ${clip.clip.durationMs} ms`);
  const audio = await listener.request.get(`${e2e.stack.url}${clip.clip.audioUrl}`);
  assert.equal(audio.status(), 200);
  const heard = analyseRecording(await decodeToPcm(await audio.body()), TONE_HZ);
  assert.ok(heard.tone.length > 0, `the clip holds no tone: ${JSON.stringify(heard)}`);

  await link.click();
  await listener.waitForURL(`**${clipPath}`);
  await playsOnClipPage(listener);
  assert.match(await listener.getByTestId("clip-share").inputValue(), new RegExp(`${clipPath}$`));
});
