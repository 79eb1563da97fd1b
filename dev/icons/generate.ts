// Regenerates the app icons in web/static/icons from the favicon's design, rendered by Chromium: "any" icons on a
// transparent background, and maskable ones whose sound bars stay inside the 80 % safe zone of a full-bleed square.
// Run: node dev/icons/generate.ts (needs Debian's Chromium). The PNGs are committed.
import { writeFileSync } from "node:fs";
import { chromium } from "playwright-core";

const BARS = `<path d="M10 13v6M14 10v12M18 12v8M22 14v4" stroke="#fff" stroke-width="2.4" stroke-linecap="round"/>`;
const ANY = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" fill="#7c3aed"/>${BARS}</svg>`;
// Maskable: the platform crops to its own shape; the bars are scaled into the central 80 % circle.
const MASKABLE = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" fill="#6d28d9"/><g transform="translate(16 16) scale(0.8) translate(-16 -16)">${BARS}</g></svg>`;

const icons = [
  { file: "icon-192.png", size: 192, svg: ANY },
  { file: "icon-512.png", size: 512, svg: ANY },
  { file: "icon-maskable-192.png", size: 192, svg: MASKABLE },
  { file: "icon-maskable-512.png", size: 512, svg: MASKABLE },
  { file: "apple-touch-icon.png", size: 180, svg: MASKABLE },
];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/lib/chromium/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage();
for (const icon of icons) {
  await page.setViewportSize({ width: icon.size, height: icon.size });
  await page.setContent(`<html><body style="margin:0">${icon.svg.replace("<svg ", `<svg width="${icon.size}" height="${icon.size}" `)}</body></html>`);
  const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: icon.size, height: icon.size } });
  writeFileSync(new URL(`../../web/static/icons/${icon.file}`, import.meta.url), png);
  console.log(icon.file, png.length);
}
await browser.close();
