// The recording's Ogg Opus: our page writer and reader, the libopus WebAssembly encoder the media object runs, the
// re-mux of parts from two encoders into one stream, and clip cutting, each checked by Debian's ffmpeg/ffprobe
// decoding the bytes (length, and where a 440 Hz tone starts in the decoded audio).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { oggPage, readOgg } from "../../worker/media/recording/ogg.ts";
import { cutOggOpus, demuxOggOpus, muxOggOpus, OggOpusWriter, oggOpusDurationMs, packetSamples, packetsDurationMs } from "../../worker/media/recording/ogg-opus.ts";
import { OpusStream, RECORDING_SAMPLE_RATE, silencePackets } from "../../worker/media/recording/recording-format.ts";

const opusModule = new WebAssembly.Module(readFileSync(new URL("../../node_modules/@evan/opus/wasm/opus.wasm", import.meta.url)));
const work = mkdtempSync(join(tmpdir(), "spaces-ogg-opus-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let files = 0;
function saved(bytes: Uint8Array): string {
  const path = join(work, `f${files++}.opus`);
  writeFileSync(path, bytes);
  return path;
}

/** ffprobe's length of the file in seconds, less the pre-skip (ffprobe's container duration is the last granule
 *  position, which counts the pre-skip; decoders drop those samples). */
function probedSeconds(path: string): number {
  const probed = Number(execFileSync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", path], { encoding: "utf8" }).trim());
  return probed - demuxOggOpus(new Uint8Array(readFileSync(path)))!.preSkip / 48_000;
}

/** The file decoded by ffmpeg to 48 kHz mono floats; ffmpeg fails the test on a stream it cannot decode. */
function decoded(path: string): Float32Array {
  const raw = execFileSync("ffmpeg", ["-v", "error", "-xerror", "-i", path, "-f", "f32le", "-ac", "1", "-ar", "48000", "-"], { maxBuffer: 64 << 20 });
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

/** Seconds at which the first 10 ms window louder than -20 dBFS RMS starts (the tone's onset); -1 if none. */
function onsetSeconds(samples: Float32Array): number {
  const window = 480;
  for (let at = 0; at + window <= samples.length; at += window / 4) {
    let sum = 0;
    for (let i = at; i < at + window; i++) sum += samples[i]! ** 2;
    if (Math.sqrt(sum / window) > 0.1) return at / 48_000;
  }
  return -1;
}

/** `silentS` of silence then `toneS` of a 440 Hz tone at 16 kHz (the mix's rate), as floats. */
function silenceThenTone(silentS: number, toneS: number): Float32Array {
  const samples = new Float32Array((silentS + toneS) * RECORDING_SAMPLE_RATE);
  for (let i = silentS * RECORDING_SAMPLE_RATE; i < samples.length; i++) samples[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / RECORDING_SAMPLE_RATE);
  return samples;
}

async function encoded(samples: Float32Array): Promise<{ preSkip: number; packets: Uint8Array[] }> {
  const stream = await OpusStream.create(opusModule);
  try {
    return { preSkip: stream.preSkip, packets: stream.encode(samples) };
  } finally {
    stream.close();
  }
}

describe("Ogg pages", () => {
  it("round-trips packets of every lacing shape, across pages, and stops at a torn page", () => {
    const packets = [0, 1, 254, 255, 256, 510, 1000].map((n) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff));
    const bytes = new Uint8Array([
      ...oggPage(packets.slice(0, 3), { serial: 7, sequence: 0, granule: 0, first: true }),
      ...oggPage(packets.slice(3), { serial: 7, sequence: 1, granule: 960, last: true }),
    ]);
    const read = readOgg(bytes);
    expect(read.complete).toBe(true);
    expect(read.lastGranule).toBe(960);
    expect(read.packets).toEqual(packets);

    const torn = readOgg(bytes.slice(0, bytes.length - 10));
    expect(torn.complete).toBe(false);
    expect(torn.packets).toEqual(packets.slice(0, 3));
    const flipped = bytes.slice();
    flipped[bytes.length - 1] = flipped[bytes.length - 1]! ^ 0xff;
    expect(readOgg(flipped).complete).toBe(false);
  });

  it("reads a file ffmpeg wrote (its CRCs agree with ours)", () => {
    const path = join(work, "ffmpeg.opus");
    execFileSync("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "libopus", "-b:a", "24k", path]);
    const parsed = demuxOggOpus(new Uint8Array(readFileSync(path)));
    expect(parsed).not.toBeNull();
    expect(parsed!.packets.length).toBeGreaterThanOrEqual(50);
    expect(Math.abs(oggOpusDurationMs(new Uint8Array(readFileSync(path))) - 1000)).toBeLessThanOrEqual(1);
  });

  it("counts an Opus packet's samples from its TOC byte", () => {
    expect(packetSamples(Uint8Array.of((1 << 3) | 0))).toBe(960); // SILK 20 ms, one frame
    expect(packetSamples(Uint8Array.of((31 << 3) | 1))).toBe(1920); // CELT 20 ms, two frames
    expect(packetSamples(Uint8Array.of((16 << 3) | 3, 3))).toBe(360); // CELT 2.5 ms, three frames
    expect(packetSamples(new Uint8Array(0))).toBe(0);
  });
});

describe("the recorder's Opus in Ogg", () => {
  it("encodes 20 ms packets that ffmpeg decodes to the right length with the tone where it was", async () => {
    const { preSkip, packets } = await encoded(silenceThenTone(1, 2));
    expect(packets).toHaveLength(150);
    expect(preSkip).toBeGreaterThan(0);
    const file = saved(muxOggOpus({ preSkip, inputRate: RECORDING_SAMPLE_RATE, packets }, { serial: 1, playable: 3 * 48_000 }));
    expect(Math.abs(probedSeconds(file) - 3)).toBeLessThanOrEqual(0.01);
    const pcm = decoded(file);
    expect(Math.abs(pcm.length / 48_000 - 3)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(onsetSeconds(pcm) - 1)).toBeLessThanOrEqual(0.02);
    // 24 kbps: 3 s is about 9 KB of packets (less where it is silent).
    expect(packets.reduce((n, p) => n + p.length, 0)).toBeLessThan(12_000);
  });

  it("re-muxes parts from two encoders (a restart after an eviction) and silence into one stream that decodes", async () => {
    const before = await encoded(silenceThenTone(0, 2));
    const gap = await silencePackets(opusModule, 100);
    const after = await encoded(silenceThenTone(1, 1));
    const packets = [...before.packets, ...gap, ...after.packets];
    const file = saved(muxOggOpus({ preSkip: before.preSkip, inputRate: RECORDING_SAMPLE_RATE, packets }, { serial: 2, playable: 6 * 48_000 }));
    expect(readOgg(new Uint8Array(readFileSync(file))).complete).toBe(true);
    const pcm = decoded(file);
    expect(Math.abs(pcm.length / 48_000 - 6)).toBeLessThanOrEqual(0.01);
    // The second encoder's tone starts 2 s (first part) + 2 s (gap) + 1 s in; its own lookahead adds under 10 ms.
    expect(Math.abs(onsetSeconds(pcm.subarray(2.5 * 48_000)) + 2.5 - 5)).toBeLessThanOrEqual(0.03);
  });

  it("cuts a clip whose length and tone offset are right to a frame, from the stream's start and from its middle", async () => {
    const source = { ...(await encoded(silenceThenTone(2, 4))), inputRate: RECORDING_SAMPLE_RATE };
    expect(packetsDurationMs(source)).toBeCloseTo(6000 - source.preSkip / 48, 5);
    const middle = saved(cutOggOpus(source, 1_500, 3_250, 3)!);
    expect(Math.abs(probedSeconds(middle) - 1.75)).toBeLessThanOrEqual(0.01);
    const pcm = decoded(middle);
    expect(Math.abs(pcm.length / 48_000 - 1.75)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(onsetSeconds(pcm) - 0.5)).toBeLessThanOrEqual(0.02);

    const start = saved(cutOggOpus(source, 0, 2_500, 4)!);
    expect(Math.abs(onsetSeconds(decoded(start)) - 2)).toBeLessThanOrEqual(0.02);
    expect(cutOggOpus(source, 7_000, 8_000, 5)).toBeNull();
  });

  it("writes the same stream page by page as whole (a long replay is never whole in memory), and ends an empty one", async () => {
    const { preSkip, packets } = await encoded(silenceThenTone(1, 3));
    const whole = muxOggOpus({ preSkip, inputRate: RECORDING_SAMPLE_RATE, packets }, { serial: 9, playable: 4 * 48_000 });
    const writer = new OggOpusWriter(9, preSkip, RECORDING_SAMPLE_RATE);
    const pieces: Uint8Array[] = [];
    for (let at = 0; at < packets.length; at += 37) pieces.push(...writer.write(packets.slice(at, at + 37)));
    pieces.push(...writer.end(4 * 48_000));
    expect(new Uint8Array(Buffer.concat(pieces))).toEqual(whole);

    const empty = new OggOpusWriter(10, preSkip, RECORDING_SAMPLE_RATE);
    const bytes = new Uint8Array(Buffer.concat([...empty.write([]), ...empty.end()]));
    expect(demuxOggOpus(bytes)).toMatchObject({ packets: [], lastGranule: 0 });
    expect(bytes[bytes.length - 27 + 5]! & 0x04).toBe(0x04); // the last page (no segments) ends the stream
  });

  it("says a torn or foreign file is not Ogg Opus", async () => {
    const { preSkip, packets } = await encoded(silenceThenTone(0, 1));
    const bytes = muxOggOpus({ preSkip, inputRate: RECORDING_SAMPLE_RATE, packets }, { serial: 6 });
    expect(demuxOggOpus(bytes)?.packets).toEqual(packets);
    expect(demuxOggOpus(bytes.slice(0, bytes.length - 3))).toBeNull();
    expect(demuxOggOpus(new TextEncoder().encode("ID3 not an ogg file"))).toBeNull();
  });
});
