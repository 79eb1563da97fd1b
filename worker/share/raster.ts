// A small RGB canvas for share cards: gradient fill, anti-aliased circles, rings and pills, and text drawn from the
// generated DejaVu coverage maps (card-font.ts), downscaled by area averaging.
import { ASCENT, COVERAGE, FONT_PX, GLYPHS, LINE_HEIGHT } from "./card-font.ts";

export type Rgb = readonly [number, number, number];

type Glyph = { advance: number; left: number; width: number; offset: number };
type Font = { glyphs: Map<number, Glyph>; coverage: Uint8Array; fallback: Glyph };

let fontPromise: Promise<Font> | null = null;

/** Inflates the coverage maps once per isolate. */
export function loadFont(): Promise<Font> {
  fontPromise ??= (async () => {
    const packed = Uint8Array.from(atob(COVERAGE), (char) => char.charCodeAt(0));
    const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    const coverage = new Uint8Array(await new Response(stream).arrayBuffer());
    const glyphs = new Map<number, Glyph>();
    let offset = 0;
    for (const [code, advance10, left, width] of GLYPHS) {
      glyphs.set(code, { advance: advance10 / 10, left, width, offset });
      offset += width * LINE_HEIGHT;
    }
    // Characters the card font lacks (emoji, CJK) are drawn as a bullet rather than dropped silently.
    return { glyphs, coverage, fallback: glyphs.get(0x2022) ?? glyphs.get(63)! };
  })();
  return fontPromise;
}

export class Raster {
  readonly rgb: Uint8Array;
  readonly width: number;
  readonly height: number;
  private readonly font: Font;

  constructor(width: number, height: number, font: Font) {
    this.width = width;
    this.height = height;
    this.font = font;
    this.rgb = new Uint8Array(width * height * 3);
  }

  private blend(x: number, y: number, color: Rgb, alpha: number): void {
    if (alpha <= 0 || x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const a = Math.min(1, alpha);
    const i = (y * this.width + x) * 3;
    for (let c = 0; c < 3; c++) this.rgb[i + c] = Math.round(this.rgb[i + c]! * (1 - a) + color[c]! * a);
  }

  verticalGradient(top: Rgb, bottom: Rgb): void {
    const stride = this.width * 3;
    const row = new Uint8Array(stride);
    for (let y = 0; y < this.height; y++) {
      const t = y / (this.height - 1);
      for (let c = 0; c < 3; c++) row[c] = Math.round(top[c]! + (bottom[c]! - top[c]!) * t);
      for (let x = 3; x < stride; x *= 2) row.copyWithin(x, 0, Math.min(x, stride - x));
      this.rgb.set(row, y * stride);
    }
  }

  /** A disc (inner = 0) or a ring between two radii, edges anti-aliased over one pixel. */
  circle(cx: number, cy: number, outer: number, color: Rgb, inner = 0): void {
    for (let y = Math.floor(cy - outer - 1); y <= Math.ceil(cy + outer + 1); y++) {
      for (let x = Math.floor(cx - outer - 1); x <= Math.ceil(cx + outer + 1); x++) {
        const distance = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
        const cover = Math.min(outer - distance + 0.5, inner > 0 ? distance - inner + 0.5 : 1);
        this.blend(x, y, color, Math.max(0, Math.min(1, cover)));
      }
    }
  }

  /** A rectangle with fully rounded ends (height / 2 radius). */
  pill(x: number, y: number, width: number, height: number, color: Rgb): void {
    const radius = height / 2;
    for (let py = y; py < y + height; py++) {
      for (let px = x; px < x + width; px++) {
        const nearestX = Math.max(x + radius, Math.min(px + 0.5, x + width - radius));
        const distance = Math.hypot(px + 0.5 - nearestX, py + 0.5 - (y + radius));
        this.blend(px, py, color, Math.max(0, Math.min(1, radius - distance + 0.5)));
      }
    }
  }

  private glyph(char: string): Glyph {
    return this.font.glyphs.get(char.codePointAt(0) ?? 63) ?? this.font.fallback;
  }

  measure(text: string, sizePx: number): number {
    let width = 0;
    for (const char of text) width += this.glyph(char).advance;
    return width * (sizePx / FONT_PX);
  }

  /** Draws one line with its baseline at `baseline`; sizes up to FONT_PX (text is only ever scaled down). */
  text(text: string, x: number, baseline: number, sizePx: number, color: Rgb): void {
    const scale = Math.min(1, sizePx / FONT_PX);
    const top = baseline - ASCENT * scale;
    let pen = 0;
    for (const char of text) {
      const glyph = this.glyph(char);
      const originX = x + (pen + glyph.left) * scale;
      const destWidth = Math.ceil(glyph.width * scale) + 1;
      const destHeight = Math.ceil(LINE_HEIGHT * scale) + 1;
      for (let dy = 0; dy < destHeight; dy++) {
        for (let dx = 0; dx < destWidth; dx++) {
          const alpha = this.coverageAt(glyph, dx / scale - (originX % 1) / scale, dy / scale - (top % 1) / scale, 1 / scale);
          this.blend(Math.floor(originX) + dx, Math.floor(top) + dy, color, alpha);
        }
      }
      pen += glyph.advance;
    }
  }

  /** Mean coverage of the source square [sx, sx + size) × [sy, sy + size) of one glyph. */
  private coverageAt(glyph: Glyph, sx: number, sy: number, size: number): number {
    let sum = 0;
    let count = 0;
    for (let y = Math.floor(sy); y < Math.ceil(sy + size); y++) {
      for (let x = Math.floor(sx); x < Math.ceil(sx + size); x++) {
        count++;
        if (x < 0 || y < 0 || x >= glyph.width || y >= LINE_HEIGHT) continue;
        sum += this.font.coverage[glyph.offset + y * glyph.width + x]!;
      }
    }
    return count ? sum / count / 255 : 0;
  }

  /** Greedy word wrap into at most `maxLines`, the last line ending in "…" when text was cut. */
  wrap(text: string, sizePx: number, maxWidth: number, maxLines: number): string[] {
    const lines: string[] = [];
    let line = "";
    const words = text.split(/\s+/).filter(Boolean);
    for (let i = 0; i < words.length; i++) {
      const candidate = line ? `${line} ${words[i]}` : words[i]!;
      if (this.measure(candidate, sizePx) <= maxWidth || !line) {
        line = candidate;
        continue;
      }
      lines.push(line);
      line = words[i]!;
      if (lines.length === maxLines) return this.ellipsize(lines, sizePx, maxWidth);
    }
    if (line) lines.push(line);
    return lines.length > maxLines ? this.ellipsize(lines.slice(0, maxLines), sizePx, maxWidth) : this.fit(lines, sizePx, maxWidth);
  }

  private fit(lines: string[], sizePx: number, maxWidth: number): string[] {
    return lines.map((line) => this.truncate(line, sizePx, maxWidth, false));
  }

  private ellipsize(lines: string[], sizePx: number, maxWidth: number): string[] {
    const last = lines.length - 1;
    return [...this.fit(lines.slice(0, last), sizePx, maxWidth), this.truncate(lines[last]!, sizePx, maxWidth, true)];
  }

  private truncate(line: string, sizePx: number, maxWidth: number, forceEllipsis: boolean): string {
    if (!forceEllipsis && this.measure(line, sizePx) <= maxWidth) return line;
    let chars = [...line];
    while (chars.length && this.measure(`${chars.join("")}…`, sizePx) > maxWidth) chars = chars.slice(0, -1);
    return `${chars.join("").trimEnd()}…`;
  }
}
