// A live recorded Space's stored parts read back for a clip: the parts from the one holding `fromMs` on, joined.
import { chunkOf } from "./mix.ts";
import { concatBytes } from "./mp3-stream.ts";
import { recordingPrefix } from "./recorder.ts";

export async function liveClipSource(bucket: R2Bucket, spaceId: string, fromMs: number): Promise<{ firstChunk: number; bytes: Uint8Array } | null> {
  const listed = await bucket.list({ prefix: `${recordingPrefix(spaceId)}parts/` });
  const parts = listed.objects
    .map((o) => ({ key: o.key, chunk: Number(/(\d+)\.mp3$/.exec(o.key)?.[1]) }))
    .filter((p) => Number.isFinite(p.chunk) && p.chunk >= chunkOf(fromMs))
    .sort((a, b) => a.chunk - b.chunk);
  if (parts.length === 0 || parts[0]!.chunk !== chunkOf(fromMs)) return null;
  const bytes: Uint8Array[] = [];
  for (const part of parts) {
    const object = await bucket.get(part.key);
    if (object) bytes.push(new Uint8Array(await object.arrayBuffer()));
  }
  return { firstChunk: parts[0]!.chunk, bytes: concatBytes(bytes) };
}
