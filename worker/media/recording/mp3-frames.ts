// MP3 frame walking: cut an MP3 byte stream at frame boundaries by time (clips), without decoding. Reads each frame
// header for its length and sample count, so it works whatever the bitrate and across joined parts.
const BITRATES_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const BITRATES_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const RATES = { 3: [44_100, 48_000, 32_000], 2: [22_050, 24_000, 16_000], 0: [11_025, 12_000, 8_000] } as Record<number, number[]>;

type Frame = { offset: number; length: number; ms: number };

/** The Layer III frame at `offset`, or null if no frame header starts there. */
function frameAt(bytes: Uint8Array, offset: number): Frame | null {
  if (offset + 4 > bytes.length || bytes[offset] !== 0xff || (bytes[offset + 1]! & 0xe0) !== 0xe0) return null;
  const version = (bytes[offset + 1]! >> 3) & 3;
  const layer = (bytes[offset + 1]! >> 1) & 3;
  const bitrateIndex = bytes[offset + 2]! >> 4;
  const rateIndex = (bytes[offset + 2]! >> 2) & 3;
  const padding = (bytes[offset + 2]! >> 1) & 1;
  if (version === 1 || layer !== 1 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  const rate = RATES[version]![rateIndex]!;
  const kbps = (version === 3 ? BITRATES_V1 : BITRATES_V2)[bitrateIndex]!;
  const samples = version === 3 ? 1152 : 576;
  const length = Math.floor(((samples / 8) * kbps * 1000) / rate) + padding;
  return { offset, length, ms: (samples * 1000) / rate };
}

/** The frames from `fromMs` to `toMs` (times from the stream's start), as their own playable MP3 bytes. */
export function cutMp3(bytes: Uint8Array, fromMs: number, toMs: number): Uint8Array {
  let at = 0;
  let clock = 0;
  let start = -1;
  let end = -1;
  while (at < bytes.length) {
    const frame = frameAt(bytes, at);
    if (!frame) {
      at++;
      continue;
    }
    if (start < 0 && clock + frame.ms > fromMs) start = frame.offset;
    clock += frame.ms;
    at = frame.offset + frame.length;
    if (clock >= toMs) {
      end = at;
      break;
    }
  }
  if (start < 0) return new Uint8Array(0);
  return bytes.slice(start, end < 0 ? bytes.length : end);
}

/** Length of an MP3 byte stream in ms (sum of its frames). */
export function mp3DurationMs(bytes: Uint8Array): number {
  let at = 0;
  let ms = 0;
  while (at < bytes.length) {
    const frame = frameAt(bytes, at);
    if (!frame) {
      at++;
      continue;
    }
    ms += frame.ms;
    at = frame.offset + frame.length;
  }
  return ms;
}
