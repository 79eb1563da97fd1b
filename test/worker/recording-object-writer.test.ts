// The replay's R2 writer against local R2: pieces of any size become one object, through a multipart upload of equal
// 5 MiB parts once it outgrows one part (a long Space), or one put when small; what is read back is what was written.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { R2ObjectWriter, UPLOAD_PART_BYTES } from "../../worker/media/recording/r2-object-writer.ts";

/** Deterministic bytes, different at every offset of a part, so a misplaced or repeated slice shows. */
function pieceOf(length: number, seed: number): Uint8Array {
  const piece = new Uint8Array(length);
  for (let i = 0; i < length; i++) piece[i] = (i * 31 + seed * 7 + (i >> 11)) & 0xff;
  return piece;
}

async function written(key: string, pieces: Uint8Array[]): Promise<Uint8Array> {
  const writer = new R2ObjectWriter(env.MEDIA, key, { httpMetadata: { contentType: "audio/ogg" } });
  for (const piece of pieces) await writer.write([piece]);
  await writer.close();
  expect(writer.bytes).toBe(pieces.reduce((n, p) => n + p.length, 0));
  const object = await env.MEDIA.get(key);
  expect(object?.httpMetadata?.contentType).toBe("audio/ogg");
  return new Uint8Array(await object!.arrayBuffer());
}

const joined = (pieces: Uint8Array[]) => new Uint8Array(Buffer.concat(pieces));

describe("R2ObjectWriter", () => {
  it("uploads more than two parts' worth (one piece ending exactly on a part boundary) as one object", async () => {
    const pieces = [pieceOf(UPLOAD_PART_BYTES - 1000, 1), pieceOf(1000, 2), pieceOf(UPLOAD_PART_BYTES + 123_457, 3), pieceOf(4_321, 4)];
    const total = pieces.reduce((n, p) => n + p.length, 0);
    const read = await written("recordings/writer-test/big.opus", pieces);
    expect(read.length).toBe(total);
    expect(Buffer.from(read).equals(Buffer.from(joined(pieces)))).toBe(true);
  });

  it("stores a small object with one put, and an empty one", async () => {
    const pieces = [pieceOf(10, 5), pieceOf(70_000, 6)];
    expect(await written("recordings/writer-test/small.opus", pieces)).toEqual(joined(pieces));
    expect((await written("recordings/writer-test/empty.opus", [])).length).toBe(0);
  });
});
