// Protobuf framing of Calls WebSocket adapter messages: `Packet { uint32 sequenceNumber = 1;
// uint32 timestamp = 2; bytes payload = 5; }`. Hand-written (three fields, no dependency); decoding
// never throws, it returns null for anything malformed so a bad frame cannot break a socket loop.

export type AdapterPacket = { sequenceNumber: number; timestamp: number; payload: Uint8Array };

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

const FIELD_SEQUENCE_NUMBER = 1;
const FIELD_TIMESTAMP = 2;
const FIELD_PAYLOAD = 5;

function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size += 1;
  }
  return size;
}

function writeVarint(out: Uint8Array, offset: number, value: number): number {
  while (value >= 0x80) {
    out[offset++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  out[offset++] = value;
  return offset;
}

/** Encodes a packet; sequenceNumber and timestamp wrap to uint32 like the proto field does. */
export function encodeAdapterPacket(packet: AdapterPacket): Uint8Array {
  const sequenceNumber = packet.sequenceNumber >>> 0;
  const timestamp = packet.timestamp >>> 0;
  const payload = packet.payload;
  // proto3 omits default (zero / empty) scalars; decoders treat missing fields as zero.
  let size = 0;
  if (sequenceNumber !== 0) size += 1 + varintSize(sequenceNumber);
  if (timestamp !== 0) size += 1 + varintSize(timestamp);
  if (payload.length !== 0) size += 1 + varintSize(payload.length) + payload.length;
  const out = new Uint8Array(size);
  let offset = 0;
  if (sequenceNumber !== 0) {
    out[offset++] = (FIELD_SEQUENCE_NUMBER << 3) | WIRE_VARINT;
    offset = writeVarint(out, offset, sequenceNumber);
  }
  if (timestamp !== 0) {
    out[offset++] = (FIELD_TIMESTAMP << 3) | WIRE_VARINT;
    offset = writeVarint(out, offset, timestamp);
  }
  if (payload.length !== 0) {
    out[offset++] = (FIELD_PAYLOAD << 3) | WIRE_LENGTH_DELIMITED;
    offset = writeVarint(out, offset, payload.length);
    out.set(payload, offset);
  }
  return out;
}

type Varint = { low32: number; next: number };

/** Reads a varint of up to 10 bytes; keeps the low 32 bits (what a uint32 field holds). */
function readVarint(bytes: Uint8Array, offset: number): Varint | null {
  let low32 = 0;
  for (let index = 0; index < 10; index++) {
    const at = offset + index;
    if (at >= bytes.length) return null;
    const byte = bytes[at]!;
    if (index < 5) low32 = (low32 | ((byte & 0x7f) << (7 * index))) >>> 0;
    if ((byte & 0x80) === 0) return { low32, next: at + 1 };
  }
  return null;
}

/** Decodes one adapter message; unknown fields are skipped, truncated or malformed input gives null. */
export function decodeAdapterPacket(bytes: Uint8Array): AdapterPacket | null {
  let sequenceNumber = 0;
  let timestamp = 0;
  let payload: Uint8Array = new Uint8Array(0);
  let offset = 0;
  while (offset < bytes.length) {
    const key = readVarint(bytes, offset);
    if (!key) return null;
    offset = key.next;
    const field = key.low32 >>> 3;
    const wireType = key.low32 & 0x7;
    if (field === 0) return null;
    switch (wireType) {
      case WIRE_VARINT: {
        const value = readVarint(bytes, offset);
        if (!value) return null;
        offset = value.next;
        if (field === FIELD_SEQUENCE_NUMBER) sequenceNumber = value.low32;
        else if (field === FIELD_TIMESTAMP) timestamp = value.low32;
        break;
      }
      case WIRE_LENGTH_DELIMITED: {
        const length = readVarint(bytes, offset);
        if (!length) return null;
        const end = length.next + length.low32;
        if (end > bytes.length) return null;
        if (field === FIELD_PAYLOAD) payload = bytes.subarray(length.next, end);
        offset = end;
        break;
      }
      case WIRE_FIXED64:
        if (offset + 8 > bytes.length) return null;
        offset += 8;
        break;
      case WIRE_FIXED32:
        if (offset + 4 > bytes.length) return null;
        offset += 4;
        break;
      default:
        // Groups (3, 4) are deprecated and never sent by the SFU; 6 and 7 are not wire types.
        return null;
    }
    // A known field with the wrong wire type means the sender speaks another message.
    if (field === FIELD_PAYLOAD && wireType !== WIRE_LENGTH_DELIMITED) return null;
    if ((field === FIELD_SEQUENCE_NUMBER || field === FIELD_TIMESTAMP) && wireType !== WIRE_VARINT) return null;
  }
  return { sequenceNumber, timestamp, payload };
}
