// Protobuf framing of Calls WebSocket adapter packets: known wire bytes, round trips, unknown fields
// skipped, and malformed or truncated input rejected with null (never a throw).
import { describe, expect, it } from "vitest";
import { decodeAdapterPacket, encodeAdapterPacket, type AdapterPacket } from "../../worker/media/adapter-packet.ts";

const bytes = (...values: number[]) => new Uint8Array(values);

describe("adapter packet codec", () => {
  it("encodes the protobuf wire format byte for byte", () => {
    // 150 is protobuf's documented varint example (96 01); payload is field 5, wire type 2 (0x2a).
    const encoded = encodeAdapterPacket({ sequenceNumber: 150, timestamp: 960, payload: bytes(1, 2, 3) });
    expect([...encoded]).toEqual([0x08, 0x96, 0x01, 0x10, 0xc0, 0x07, 0x2a, 0x03, 1, 2, 3]);
  });

  it("round-trips packets, including zero fields and uint32 extremes", () => {
    const payload = new Uint8Array(3840).map((_, index) => index % 251);
    const cases: AdapterPacket[] = [
      { sequenceNumber: 0, timestamp: 0, payload: new Uint8Array(0) },
      { sequenceNumber: 1, timestamp: 960, payload },
      { sequenceNumber: 0xffffffff, timestamp: 0xfffffc40, payload: bytes(0, 255) },
      { sequenceNumber: 127, timestamp: 128, payload: bytes(7) },
    ];
    for (const packet of cases) {
      const decoded = decodeAdapterPacket(encodeAdapterPacket(packet));
      expect(decoded).not.toBeNull();
      expect(decoded!.sequenceNumber).toBe(packet.sequenceNumber);
      expect(decoded!.timestamp).toBe(packet.timestamp);
      expect([...decoded!.payload]).toEqual([...packet.payload]);
    }
  });

  it("wraps numbers past uint32 the way the proto field would", () => {
    const decoded = decodeAdapterPacket(encodeAdapterPacket({ sequenceNumber: 2 ** 32 + 5, timestamp: 1, payload: bytes() }));
    expect(decoded?.sequenceNumber).toBe(5);
  });

  it("skips unknown fields of every wire type", () => {
    const known = encodeAdapterPacket({ sequenceNumber: 9, timestamp: 18, payload: bytes(4, 5) });
    const withUnknown = bytes(
      0x18, 0xac, 0x02, // field 3 varint 300
      0x21, 1, 2, 3, 4, 5, 6, 7, 8, // field 4 fixed64
      0x32, 0x02, 0xaa, 0xbb, // field 6 bytes
      ...known,
      0x3d, 1, 2, 3, 4, // field 7 fixed32
    );
    const decoded = decodeAdapterPacket(withUnknown);
    expect(decoded).toEqual({ sequenceNumber: 9, timestamp: 18, payload: bytes(4, 5) });
  });

  it("accepts a 10-byte varint (a negative int32 encoding) keeping the low 32 bits", () => {
    const decoded = decodeAdapterPacket(bytes(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01));
    expect(decoded?.sequenceNumber).toBe(0xffffffff);
  });

  it("returns null for every truncation of a valid packet", () => {
    const encoded = encodeAdapterPacket({ sequenceNumber: 300, timestamp: 70000, payload: bytes(1, 2, 3, 4) });
    for (let length = 1; length < encoded.length; length++) {
      // Cutting right after a complete field leaves a shorter valid message; every other cut must fail.
      const cut = encoded.subarray(0, length);
      const fieldBoundaries = [3, 7];
      if (fieldBoundaries.includes(length)) expect(decodeAdapterPacket(cut)).not.toBeNull();
      else expect(decodeAdapterPacket(cut)).toBeNull();
    }
  });

  it("returns null for malformed input instead of throwing", () => {
    expect(decodeAdapterPacket(bytes(0x2a, 0x05, 1, 2))).toBeNull(); // payload longer than the message
    expect(decodeAdapterPacket(bytes(0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01))).toBeNull(); // 11-byte varint
    expect(decodeAdapterPacket(bytes(0x0b))).toBeNull(); // group start, field 1
    expect(decodeAdapterPacket(bytes(0x0e, 0x00))).toBeNull(); // wire type 6
    expect(decodeAdapterPacket(bytes(0x00, 0x00))).toBeNull(); // field number 0
    expect(decodeAdapterPacket(bytes(0x2d, 1, 2, 3, 4))).toBeNull(); // payload sent as fixed32
    expect(decodeAdapterPacket(bytes(0x0a, 0x01, 0x00))).toBeNull(); // sequenceNumber sent as bytes
  });

  it("decodes an empty message as all defaults", () => {
    expect(decodeAdapterPacket(new Uint8Array(0))).toEqual({ sequenceNumber: 0, timestamp: 0, payload: bytes() });
  });
});
