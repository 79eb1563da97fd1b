// The shard tree in Chromium: with SHARD_THRESHOLD=1 every listener after the host sits on a leaf SpaceShard, and with
// one listener a leaf and one child an object those leaves sit under relay shards (depth 3, as in a million-listener
// room). The real pages work through it: a listener hears the host, asks to speak, is approved, publishes, and another
// listener under a relay hears them and sees them on stage. (Leaves directly under the room: test/worker/room-shards.)
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
const SPEAKER_HZ = 660;

let stack: Stack;
let tempDir: string;
const browsers: Browser[] = [];

before(async () => {
  tempDir = await mkdtemp(join(tmpdir(), "room-shards-"));
  stack = await startTestStack({ SHARD_THRESHOLD: "1", SHARD_CAPACITY: "1", SHARD_FANOUT: "1", SHARD_LEASE_SECONDS: "5", SHARD_LOCATION_HINT: "weur" });
});

after(async () => {
  await Promise.allSettled(browsers.map((browser) => browser.close()));
  await stack?.stop();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
});

async function personPage(frequency: number | null, handle: string): Promise<Page> {
  const browser = await launchChromium({ fakeAudioFile: frequency ? await writeToneWav(tempDir, frequency) : undefined });
  browsers.push(browser);
  const page = await (await browser.newContext()).newPage();
  await loginAs(page, stack.url, handle);
  return page;
}

test("listeners on shards hear the stage, and one is promoted to speak through their shard", async () => {
  const host = await personPage(HOST_HZ, "host");
  await host.goto(`${stack.url}/host`);
  await host.getByLabel("Title").fill("Sharded room");
  await host.getByRole("button", { name: "Create Space" }).click();
  await host.waitForURL(/\/spaces\/[0-9a-f-]{36}$/);
  const spaceUrl = host.url();
  await host.getByRole("button", { name: "Start Space now" }).click();
  await host.getByTestId("room-audio").and(host.locator('[data-connection="connected"][data-mic="on"]')).waitFor({ timeout: 15_000 });

  // ana joins with the host already in: her socket goes to a leaf shard, which sits under a relay (2 leaf buckets > 1).
  const ana = await personPage(SPEAKER_HZ, "ana");
  await ana.goto(spaceUrl);
  await ana.getByTestId("stage-host").waitFor();
  const anaHears = await tonesProbe(ana);
  assert.ok((await anaHears.waitForTone(HOST_HZ, "present", 15_000)) !== null, "a listener on a shard never heard the host");

  // Her hand reaches the host through the shard, and the approval reaches her the same way.
  await ana.getByRole("button", { name: "Request to speak" }).click();
  await host.getByRole("button", { name: "Approve Ana Listener" }).click();
  await ana.getByTestId("mic-toggle").filter({ hasText: "Unmute" }).click();
  await ana.getByTestId("stage-ana").and(ana.locator('[data-muted="false"]')).waitFor();

  // ben, on a leaf under a relay too, sees her on stage and hears her.
  const ben = await personPage(null, "ben");
  await ben.goto(spaceUrl);
  await ben.getByTestId("stage-ana").and(ben.locator('[data-muted="false"]')).waitFor({ timeout: 10_000 });
  const benHears = await tonesProbe(ben);
  assert.ok((await benHears.waitForTone(SPEAKER_HZ, "present", 15_000)) !== null, "a listener on a shard never heard the promoted speaker");
  assert.ok((await benHears.waitForTone(HOST_HZ, "present", 5_000)) !== null, "a listener on a shard never heard the host");
  await host.getByTestId("leave").click();
});
