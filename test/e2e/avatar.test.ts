// A profile picture, end to end: a 640×400 photo chosen on your own profile is resized to 256×256 in the browser,
// stored, and shown in the header and on the profile for everyone; removing it brings the initials back.
import assert from "node:assert/strict";
import { test } from "node:test";
import { loginAs, useStackAndBrowser } from "./support/stack.ts";

const e2e = useStackAndBrowser();

test("a person uploads a picture on their profile; it is resized, shown to others, and can be removed", async () => {
  const ben = await (await e2e.browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await loginAs(ben, e2e.stack.url, "ben");
  await ben.goto(`${e2e.stack.url}/u/ben`);
  // A "photo" drawn in the page: two colours side by side, wider than tall.
  const photo = await ben.evaluate(async () => {
    const canvas = document.createElement("canvas");
    canvas.width = 640;
    canvas.height = 400;
    const context = canvas.getContext("2d")!;
    context.fillStyle = "#e11d48";
    context.fillRect(0, 0, 320, 400);
    context.fillStyle = "#2563eb";
    context.fillRect(320, 0, 320, 400);
    return canvas.toDataURL("image/png").split(",")[1]!;
  });
  await ben.getByTestId("avatar-input").setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: Buffer.from(photo, "base64") });
  await ben.getByRole("status").filter({ hasText: "Picture updated." }).waitFor();

  const headerPicture = ben.getByTestId("me-link").locator("img");
  await headerPicture.waitFor();
  const src = (await headerPicture.getAttribute("src"))!;
  assert.match(src, /^\/api\/avatars\/demo-ben\/[0-9a-f-]{36}\.(webp|png)$/);
  const size = await ben.evaluate(async (url) => {
    const bitmap = await createImageBitmap(await (await fetch(url)).blob());
    return [bitmap.width, bitmap.height];
  }, src);
  assert.deepEqual(size, [256, 256]);

  const ana = await (await e2e.browser.newContext()).newPage();
  await loginAs(ana, e2e.stack.url, "ana");
  await ana.goto(`${e2e.stack.url}/u/ben`);
  await ana.locator(`main img[src="${src}"]`).waitFor();
  assert.equal(await ana.getByTestId("avatar-input").count(), 0, "only the owner can change it");

  await ben.getByRole("button", { name: "Remove picture" }).click();
  await ben.getByRole("status").filter({ hasText: "Picture removed" }).waitFor();
  assert.equal(await ben.getByTestId("me-link").locator("img").count(), 0);
  assert.equal(await ben.getByTestId("me-link").innerText(), "BS\n@ben");
  await ben.context().close();
  await ana.context().close();
});
