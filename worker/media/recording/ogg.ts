// Ogg pages (RFC 3533), the container of the recording's Opus packets: written here (CRC-32 with the Ogg polynomial,
// lacing, granule positions) and read back into packets, so parts can be re-muxed into one stream and clips cut.
// One logical stream per file; pages that fail their CRC end the reading (a torn upload is not played as noise).

/** Most segments one page may carry (the lacing table is one byte per segment). */
const MAX_SEGMENTS = 255;
const HEADER_BYTES = 27;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let bit = 0; bit < 8; bit++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

/** The Ogg CRC-32: polynomial 0x04c11db7, no reflection, initial value and final xor 0. */
export function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ bytes[i]!) & 0xff]!) >>> 0;
  return crc;
}

export type PageOptions = { serial: number; sequence: number; granule: number; first?: boolean; last?: boolean };

/** One page holding whole packets (each ends on this page); at most 255 segments of lacing in all. */
export function oggPage(packets: Uint8Array[], options: PageOptions): Uint8Array {
  const lacing: number[] = [];
  for (const packet of packets) {
    // A packet's length is 255s then a last value below 255 (0 when the length is a multiple of 255).
    for (let left = packet.length; ; left -= 255) {
      lacing.push(Math.min(left, 255));
      if (left < 255) break;
    }
  }
  if (lacing.length > MAX_SEGMENTS) throw new RangeError(`an Ogg page holds at most ${MAX_SEGMENTS} segments, not ${lacing.length}`);
  const bodyLength = packets.reduce((n, p) => n + p.length, 0);
  const page = new Uint8Array(HEADER_BYTES + lacing.length + bodyLength);
  const view = new DataView(page.buffer);
  page.set([0x4f, 0x67, 0x67, 0x53]); // "OggS"
  page[4] = 0; // version
  page[5] = (options.first ? 0x02 : 0) | (options.last ? 0x04 : 0);
  view.setBigInt64(6, BigInt(options.granule), true);
  view.setUint32(14, options.serial >>> 0, true);
  view.setUint32(18, options.sequence >>> 0, true);
  page[26] = lacing.length;
  page.set(lacing, HEADER_BYTES);
  let at = HEADER_BYTES + lacing.length;
  for (const packet of packets) {
    page.set(packet, at);
    at += packet.length;
  }
  view.setUint32(22, oggCrc(page), true);
  return page;
}

/** How many packets fit on one page from `from` on (at least one, whose lacing always fits: our packets are small). */
export function packetsThatFit(packets: Uint8Array[], from: number, most: number): number {
  let segments = 0;
  let count = 0;
  while (from + count < packets.length && count < most) {
    const needed = Math.floor(packets[from + count]!.length / 255) + 1;
    if (count > 0 && segments + needed > MAX_SEGMENTS) break;
    segments += needed;
    count++;
  }
  return count;
}

export type OggRead = { packets: Uint8Array[]; lastGranule: number; complete: boolean };

/** The packets of the Ogg stream in `bytes` (one logical stream), in order, with the last page's granule position.
 *  `complete` is false when a bad or cut-off page ended the reading early. */
export function readOgg(bytes: Uint8Array): OggRead {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const packets: Uint8Array[] = [];
  let pending: Uint8Array[] = [];
  let lastGranule = 0;
  let at = 0;
  while (at < bytes.length) {
    if (at + HEADER_BYTES > bytes.length || view.getUint32(at, false) !== 0x4f676753) return { packets, lastGranule, complete: false };
    const segmentCount = bytes[at + 26]!;
    const lacing = bytes.subarray(at + HEADER_BYTES, at + HEADER_BYTES + segmentCount);
    const bodyLength = lacing.reduce((n, v) => n + v, 0);
    const end = at + HEADER_BYTES + segmentCount + bodyLength;
    if (lacing.length < segmentCount || end > bytes.length) return { packets, lastGranule, complete: false };
    const page = bytes.slice(at, end);
    const stored = view.getUint32(at + 22, true);
    page.fill(0, 22, 26);
    if (oggCrc(page) !== stored) return { packets, lastGranule, complete: false };
    // A page continuing no packet drops a dangling piece (its start was on a page we could not read).
    if ((bytes[at + 5]! & 0x01) === 0) pending = [];
    let body = at + HEADER_BYTES + segmentCount;
    let start = body;
    for (const value of lacing) {
      body += value;
      if (value < 255) {
        pending.push(bytes.subarray(start, body));
        packets.push(joined(pending));
        pending = [];
        start = body;
      }
    }
    if (start < body) pending.push(bytes.subarray(start, body));
    const granule = view.getBigInt64(at + 6, true);
    // -1 marks a page on which no packet ends.
    if (granule >= 0n) lastGranule = Number(granule);
    at = end;
  }
  return { packets, lastGranule, complete: pending.length === 0 };
}

function joined(pieces: Uint8Array[]): Uint8Array {
  return pieces.length === 1 ? pieces[0]!.slice() : concatBytes(pieces);
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
