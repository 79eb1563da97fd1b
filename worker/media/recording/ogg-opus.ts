// Ogg Opus files (RFC 7845) from Opus packets and back: OpusHead (with the pre-skip: the encoder's lookahead, cut
// from the start on playback) and OpusTags, audio pages of about a second (granule = 48 kHz samples decoded so far),
// and the end trimmed by the last page's granule. Cutting a window re-muxes its packets into a new stream, starting
// 80 ms early so the decoder has converged by the window's start, which the new pre-skip points at exactly.
import { concatBytes, oggPage, packetsThatFit, readOgg } from "./ogg.ts";

/** Granule positions and pre-skip count 48 kHz samples, whatever rate the encoder was given. */
export const GRANULE_RATE = 48_000;
const GRANULES_PER_MS = GRANULE_RATE / 1000;
/** RFC 7845 §4.6: decoding from 80 ms before a point gives the decoder time to converge. */
const PREROLL = 3_840;
/** Packets per audio page: 50 × 20 ms = 1 s, fine enough for a browser's seek by bisection. */
const PACKETS_PER_PAGE = 50;
const VENDOR = "spaces (libopus)";

export type OpusPackets = { preSkip: number; inputRate: number; packets: Uint8Array[] };

/** 48 kHz samples in one Opus packet, from its TOC byte (RFC 6716 §3.1); 0 for an empty (malformed) packet. */
export function packetSamples(packet: Uint8Array): number {
  if (packet.length === 0) return 0;
  const config = packet[0]! >> 3;
  let frame: number;
  if (config < 12) frame = [480, 960, 1920, 2880][config & 3]!; // SILK: 10, 20, 40, 60 ms
  else if (config < 16) frame = [480, 960][config & 1]!; // hybrid: 10, 20 ms
  else frame = [120, 240, 480, 960][config & 3]!; // CELT: 2.5, 5, 10, 20 ms
  const code = packet[0]! & 3;
  const frames = code === 0 ? 1 : code === 3 ? (packet[1] ?? 0) & 0x3f : 2;
  return frame * frames;
}

export function opusHead(preSkip: number, inputRate: number): Uint8Array {
  const head = new Uint8Array(19);
  const view = new DataView(head.buffer);
  head.set(new TextEncoder().encode("OpusHead"));
  head[8] = 1; // version
  head[9] = 1; // mono
  view.setUint16(10, preSkip, true);
  view.setUint32(12, inputRate, true);
  view.setInt16(16, 0, true); // output gain
  head[18] = 0; // channel mapping family 0: mono or stereo, no table
  return head;
}

function opusTags(): Uint8Array {
  const vendor = new TextEncoder().encode(VENDOR);
  const tags = new Uint8Array(8 + 4 + vendor.length + 4);
  const view = new DataView(tags.buffer);
  tags.set(new TextEncoder().encode("OpusTags"));
  view.setUint32(8, vendor.length, true);
  tags.set(vendor, 12);
  view.setUint32(12 + vendor.length, 0, true); // no user comments
  return tags;
}

/** Writes one Ogg Opus stream page by page, so a long replay is never whole in memory: header pages first, audio
 *  pages of about a second as packets come, and the last page (end-trimmed) at `end`. */
export class OggOpusWriter {
  private sequence = 0;
  private granule = 0;
  private pending: Uint8Array[] = [];
  private readonly serial: number;
  private readonly head: Uint8Array;

  constructor(serial: number, preSkip: number, inputRate: number) {
    this.serial = serial;
    this.head = opusHead(preSkip, inputRate);
  }

  /** Pages completed by these packets (the first call also gives the header pages); some packets wait for more. */
  write(packets: Uint8Array[]): Uint8Array[] {
    const pages = this.headers(false);
    this.pending.push(...packets);
    // A page is written once more packets follow it, so the last page is always written by `end`.
    while (this.pending.length > PACKETS_PER_PAGE) pages.push(this.page(packetsThatFit(this.pending, 0, PACKETS_PER_PAGE), false, null));
    return pages;
  }

  /** The remaining pages, the last one marked; `playable` (48 kHz samples after the pre-skip) trims the end. */
  end(playable?: number): Uint8Array[] {
    const pages = this.headers(this.pending.length === 0);
    // Headers already out and no audio at all: an empty page carries the end of the stream.
    if (pages.length === 0 && this.pending.length === 0) pages.push(this.pageOf([], { last: true, granule: this.granule }));
    while (this.pending.length > 0) {
      const count = packetsThatFit(this.pending, 0, PACKETS_PER_PAGE);
      const last = count === this.pending.length;
      pages.push(this.page(count, last, last && playable !== undefined ? playable : null));
    }
    return pages;
  }

  private headers(last: boolean): Uint8Array[] {
    if (this.sequence > 0) return [];
    return [this.pageOf([this.head], { first: true }), this.pageOf([opusTags()], { last })];
  }

  private page(count: number, last: boolean, playable: number | null): Uint8Array {
    const onPage = this.pending.splice(0, count);
    for (const packet of onPage) this.granule += packetSamples(packet);
    // Only the last page may end before its packets do (end trimming), and never past what was decoded.
    const preSkip = new DataView(this.head.buffer).getUint16(10, true);
    const granule = playable === null ? this.granule : Math.min(this.granule, preSkip + playable);
    return this.pageOf(onPage, { last, granule });
  }

  private pageOf(packets: Uint8Array[], options: { first?: boolean; last?: boolean; granule?: number }): Uint8Array {
    return oggPage(packets, { serial: this.serial, sequence: this.sequence++, granule: options.granule ?? 0, first: options.first, last: options.last });
  }
}

/** An Ogg Opus file of the packets. `playable` (48 kHz samples after the pre-skip) trims the end when given. */
export function muxOggOpus(source: OpusPackets, options: { serial: number; playable?: number }): Uint8Array {
  const writer = new OggOpusWriter(options.serial, source.preSkip, source.inputRate);
  return concatBytes([...writer.write(source.packets), ...writer.end(options.playable)]);
}

/** The packets of an Ogg Opus file and its header's pre-skip, or null when it is not one (or is torn). */
export function demuxOggOpus(bytes: Uint8Array): (OpusPackets & { lastGranule: number }) | null {
  const read = readOgg(bytes);
  const head = read.packets[0];
  if (!read.complete || !head || head.length < 19 || new TextDecoder().decode(head.subarray(0, 8)) !== "OpusHead") return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const tags = read.packets[1];
  if (!tags || new TextDecoder().decode(tags.subarray(0, 8)) !== "OpusTags") return null;
  return { preSkip: view.getUint16(10, true), inputRate: view.getUint32(12, true), packets: read.packets.slice(2), lastGranule: read.lastGranule };
}

/** Playable length of an Ogg Opus file in ms (last granule less the pre-skip); 0 when it is not one. */
export function oggOpusDurationMs(bytes: Uint8Array): number {
  const parsed = demuxOggOpus(bytes);
  return parsed ? Math.max(0, parsed.lastGranule - parsed.preSkip) / GRANULES_PER_MS : 0;
}

/** Playable length of packets (their samples less the pre-skip), in ms. */
export function packetsDurationMs(source: OpusPackets): number {
  const samples = source.packets.reduce((n, p) => n + packetSamples(p), 0);
  return Math.max(0, samples - source.preSkip) / GRANULES_PER_MS;
}

/** The window [fromMs, toMs) of the source's timeline (0 = first sample after its pre-skip) as its own Ogg Opus
 *  file, exact to the sample; null when the window holds no audio of the source. */
export function cutOggOpus(source: OpusPackets, fromMs: number, toMs: number, serial: number): Uint8Array | null {
  const from = Math.round(fromMs * GRANULES_PER_MS) + source.preSkip;
  const to = Math.round(toMs * GRANULES_PER_MS) + source.preSkip;
  const starts: number[] = [];
  let total = 0;
  for (const packet of source.packets) {
    starts.push(total);
    total += packetSamples(packet);
  }
  if (to <= from || from >= total) return null;
  // The packet holding `from`, then back at least 80 ms (or to the stream's start) for the decoder to converge.
  let first = 0;
  while (first + 1 < starts.length && starts[first + 1]! <= from) first++;
  while (first > 0 && from - starts[first]! < PREROLL) first--;
  let end = first;
  while (end < starts.length && starts[end]! < to) end++;
  const packets = source.packets.slice(first, end);
  const preSkip = from - starts[first]!;
  return muxOggOpus({ preSkip, inputRate: source.inputRate, packets }, { serial, playable: to - from });
}
