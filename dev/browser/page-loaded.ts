// When an app page has finished loading, for anything that judges or pictures it (axe, screenshots): its loading
// statuses gone, the web fonts and images in, so nothing is taken of a spinner or a half-drawn page.
import type { Page } from "playwright-core";

/**
 * Waits for the app to render its <main> (before that there is no status to wait for either), then for the statuses
 * of the page's own loading to go ("Loading…", "Loading Spaces…", "Joining the Space…"; the layout and the page may
 * each show one; a live state such as "Connecting audio…" is content, not loading), then for fonts and images.
 */
export async function pageLoaded(page: Page, timeoutMs = 30_000): Promise<void> {
  await page.locator("main").first().waitFor({ state: "attached", timeout: timeoutMs });
  await page.getByRole("status").filter({ hasText: /^\s*(Loading|Joining)/ }).first().waitFor({ state: "detached", timeout: timeoutMs });
  await page.evaluate(async () => {
    await document.fonts.ready;
    const pending = [...document.images].filter((image) => !image.complete);
    await Promise.all(
      pending.map((image) =>
        new Promise((done) => {
          image.addEventListener("load", done, { once: true });
          image.addEventListener("error", done, { once: true });
        }),
      ),
    );
  });
}
