// The Space's recorder inside the media object: the mix is encoded chunk by chunk (one continuous MP3 stream) and
// each chunk goes to R2 as its own part as soon as it is complete, so an eviction loses at most the chunk being
// filled. At the end the parts are joined (MP3 frames concatenate cleanly) into one replay object; stretches with
// no part (recording off for a while, or lost to an eviction) become encoded silence, keeping the timeline true.
import { chunkOf, CHUNK_MS, CHUNK_SAMPLES, SpaceMix } from "./mix.ts";
import { concatBytes, Mp3Stream, RECORDING_CONTENT_TYPE, silenceMp3 } from "./mp3-stream.ts";

/** A chunk is encoded this long after its end, so a track's slightly late packets still land in it. */
const LATE_MS = 400;

export const recordingPrefix = (spaceId: string) => `recordings/${spaceId}/`;
const partKey = (spaceId: string, chunk: number) => `${recordingPrefix(spaceId)}parts/${String(chunk).padStart(8, "0")}.mp3`;
export const replayKey = (spaceId: string) => `${recordingPrefix(spaceId)}replay.mp3`;

export type FinishedRecording = { key: string; bytes: number; offsetMs: number; durationMs: number };

export class Recorder {
  private mix: SpaceMix | null = null;
  private stream: Mp3Stream | null = null;
  /** Encodes and uploads run one after another, in chunk order. */
  private queue: Promise<void> = Promise.resolve();
  encodedSamples = 0;

  private readonly bucket: R2Bucket;
  private readonly sql: SqlStorage;
  private readonly spaceId: string;

  constructor(bucket: R2Bucket, sql: SqlStorage, spaceId: string) {
    this.bucket = bucket;
    this.sql = sql;
    this.spaceId = spaceId;
    sql.exec("CREATE TABLE IF NOT EXISTS recording_parts (chunk INTEGER PRIMARY KEY, key TEXT NOT NULL, bytes INTEGER NOT NULL)");
  }

  get running(): boolean {
    return this.mix !== null;
  }

  /** The live mix tracks write to, or null while stopped. */
  liveMix(): SpaceMix | null {
    return this.mix;
  }

  /** Starts (or resumes after a wake) at the chunk holding `nowMs`, never before a chunk already stored. */
  start(nowMs: number): void {
    if (this.mix) return;
    const last = this.sql.exec<{ chunk: number | null }>("SELECT MAX(chunk) AS chunk FROM recording_parts").one().chunk;
    this.mix = new SpaceMix(Math.max(chunkOf(nowMs), last === null ? 0 : last + 1));
  }

  /** Encodes and stores every chunk whose end (plus a little lateness) has passed in the Space's time. */
  flushDue(nowMs: number): Promise<void> {
    const mix = this.mix;
    if (!mix) return this.queue;
    const reached = Math.max(nowMs, mix.furthestMs) - LATE_MS;
    while ((mix.nextChunk + 1) * CHUNK_MS <= reached) this.enqueue(mix.take(), false);
    return this.queue;
  }

  /** Stores everything up to `nowMs` (the last chunk partly silent) and ends the encoder: capture stops. */
  stop(nowMs: number): Promise<void> {
    const mix = this.mix;
    if (!mix) return this.queue;
    this.mix = null;
    const until = chunkOf(Math.max(nowMs, mix.furthestMs));
    while (mix.nextChunk <= until) {
      const taken = mix.take();
      this.enqueue(taken, taken.chunk === until);
    }
    return this.queue;
  }

  /** Joins the stored parts into the replay object and deletes them; null when nothing was recorded. */
  async finish(nowMs: number): Promise<FinishedRecording | null> {
    await this.stop(nowMs);
    const parts = this.sql.exec<{ chunk: number; key: string }>("SELECT chunk, key FROM recording_parts ORDER BY chunk").toArray();
    if (parts.length === 0) return null;
    const first = parts[0]!.chunk;
    const pieces: Uint8Array[] = [];
    let expected = first;
    for (const part of parts) {
      if (part.chunk > expected) pieces.push(await silenceMp3((part.chunk - expected) * CHUNK_SAMPLES));
      const object = await this.bucket.get(part.key);
      // A part that vanished is a stretch of silence, not a shifted timeline.
      pieces.push(object ? new Uint8Array(await object.arrayBuffer()) : await silenceMp3(CHUNK_SAMPLES));
      expected = part.chunk + 1;
    }
    const replay = concatBytes(pieces);
    const key = replayKey(this.spaceId);
    await this.bucket.put(key, replay, { httpMetadata: { contentType: RECORDING_CONTENT_TYPE } });
    await this.bucket.delete(parts.map((p) => p.key));
    this.sql.exec("DELETE FROM recording_parts");
    return { key, bytes: replay.byteLength, offsetMs: first * CHUNK_MS, durationMs: (expected - first) * CHUNK_MS };
  }

  private enqueue(taken: { chunk: number; samples: Float32Array }, last: boolean): void {
    this.queue = this.queue.then(async () => {
      this.stream ??= await Mp3Stream.create();
      const frames = [this.stream.encode(taken.samples)];
      if (last) {
        frames.push(this.stream.finish());
        this.stream = null;
      }
      this.encodedSamples += taken.samples.length;
      const bytes = concatBytes(frames);
      const key = partKey(this.spaceId, taken.chunk);
      await this.bucket.put(key, bytes, { httpMetadata: { contentType: RECORDING_CONTENT_TYPE } });
      this.sql.exec("INSERT OR REPLACE INTO recording_parts (chunk, key, bytes) VALUES (?, ?, ?)", taken.chunk, key, bytes.byteLength);
    }).catch((error: unknown) => {
      console.log(JSON.stringify({ event: "recording_part_failed", spaceId: this.spaceId, chunk: taken.chunk, error: String(error) }));
    });
  }
}
