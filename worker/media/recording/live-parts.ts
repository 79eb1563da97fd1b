// A live recorded Space's stored parts read back for a clip: the unbroken run of parts from the one holding `fromMs`
// (or, when recording began later, the first stored one before `toMs`) on, as one packet sequence on the Space's
// timeline (its first sample is the start of `firstChunk`).
import { CHUNK_MS, chunkOf } from "./mix.ts";
import { demuxOggOpus, type OpusPackets } from "./ogg-opus.ts";
import { chunkOfPartKey, partKey, recordingPrefix } from "./recorder.ts";

export async function liveClipSource(bucket: R2Bucket, spaceId: string, fromMs: number, toMs: number): Promise<{ firstChunk: number; source: OpusPackets } | null> {
  // Keys sort by chunk (zero-padded): list from the asked chunk on, not the Space's first thousand parts.
  const from = chunkOf(fromMs);
  const listed = await bucket.list({ prefix: `${recordingPrefix(spaceId)}parts/`, ...(from > 0 ? { startAfter: partKey(spaceId, from - 1) } : {}), limit: 50 });
  const parts = listed.objects
    .map((o) => ({ key: o.key, chunk: chunkOfPartKey(o.key) }))
    .filter((p) => Number.isFinite(p.chunk) && p.chunk >= from)
    .sort((a, b) => a.chunk - b.chunk);
  const firstChunk = parts[0]?.chunk;
  // "The last 30 s" of a Space recorded for 20 s so far is those 20 s: a later first part is fine if it is in range.
  if (firstChunk === undefined || firstChunk * CHUNK_MS >= toMs) return null;
  let source: OpusPackets | null = null;
  for (const [index, part] of parts.entries()) {
    // A gap (a chunk lost to an eviction) ends the run: later packets would sit at the wrong time.
    if (part.chunk !== firstChunk + index) break;
    const object = await bucket.get(part.key);
    const stored = object ? demuxOggOpus(new Uint8Array(await object.arrayBuffer())) : null;
    if (!stored) break;
    if (source) source.packets.push(...stored.packets);
    else source = { preSkip: stored.preSkip, inputRate: stored.inputRate, packets: [...stored.packets] };
  }
  return source ? { firstChunk, source } : null;
}
