// The Space's recorder inside the media object: the mix is encoded chunk by chunk (one continuous Opus encoder) and
// each 4 s chunk goes to R2 as its own small Ogg Opus part as soon as it is complete, so an eviction loses at most the
// chunk being filled. At the end the parts' packets are re-muxed into ONE logical Ogg stream (a restarted encoder
// after an eviction does not break the file), written page by page; stretches with no part (recording off for a while, or lost to an
// eviction) become silent packets, keeping the timeline true.
import { chunkOf, CHUNK_MS, SpaceMix, type TakenChunk } from "./mix.ts";
import { demuxOggOpus, muxOggOpus, OggOpusWriter, type OpusPackets } from "./ogg-opus.ts";
import { opusModule } from "./opus-module.ts";
import { R2ObjectWriter } from "./r2-object-writer.ts";
import { encoderPreSkip, OpusStream, RECORDING_CONTENT_TYPE, RECORDING_EXTENSION, RECORDING_SAMPLE_RATE, silencePackets } from "./recording-format.ts";

/** 20 ms packets per chunk. */
const CHUNK_PACKETS = CHUNK_MS / 20;
/** Parts read ahead of the one being written at the end. */
const PARTS_AHEAD = 4;

export const recordingPrefix = (spaceId: string) => `recordings/${spaceId}/`;
export const partKey = (spaceId: string, chunk: number) => `${recordingPrefix(spaceId)}parts/${String(chunk).padStart(8, "0")}.${RECORDING_EXTENSION}`;
export const replayKey = (spaceId: string) => `${recordingPrefix(spaceId)}replay.${RECORDING_EXTENSION}`;
/** The chunk number in a part's key, or NaN for another key. */
export const chunkOfPartKey = (key: string) => Number(new RegExp(`/parts/(\\d+)\\.${RECORDING_EXTENSION}$`).exec(key)?.[1]);

export type FinishedRecording = { key: string; bytes: number; offsetMs: number; durationMs: number };

const randomSerial = () => crypto.getRandomValues(new Uint32Array(1))[0]!;

/** The items with what `load` gives for each, in order, with up to `ahead` loads running before they are needed. */
async function* readAhead<T, R>(items: T[], ahead: number, load: (item: T) => Promise<R>): AsyncGenerator<[T, R]> {
  const loads: Promise<R>[] = [];
  for (let i = 0; i < items.length; i++) {
    while (loads.length < Math.min(items.length, i + 1 + ahead)) loads.push(load(items[loads.length]!));
    yield [items[i]!, await loads[i]!];
  }
}

export class Recorder {
  private mix: SpaceMix | null = null;
  private stream: OpusStream | null = null;
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

  /** Encodes and stores every chunk that is due (SpaceMix.takeDue: the live tracks' audio passed its end, or the
   *  bounded wait for a lagging track ran out) at `nowMs` in the Space's time. */
  flushDue(nowMs: number): Promise<void> {
    for (const taken of this.mix?.takeDue(nowMs) ?? []) this.enqueue(taken, false);
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

  /** Re-muxes the stored parts into the replay object and deletes them; null when nothing was recorded. The parts
   *  are read a few ahead and written out page by page, so neither time nor memory grows with all of them at once. */
  async finish(nowMs: number): Promise<FinishedRecording | null> {
    await this.stop(nowMs);
    const parts = this.sql.exec<{ chunk: number; key: string }>("SELECT chunk, key FROM recording_parts ORDER BY chunk").toArray();
    if (parts.length === 0) return null;
    const first = parts[0]!.chunk;
    const key = replayKey(this.spaceId);
    const out = new R2ObjectWriter(this.bucket, key, { httpMetadata: { contentType: RECORDING_CONTENT_TYPE } });
    let writer: OggOpusWriter | null = null;
    let expected = first;
    try {
      for await (const [part, stored] of readAhead(parts, PARTS_AHEAD, (p) => this.readPart(p.key))) {
        const packets: Uint8Array[] = [];
        if (part.chunk > expected) packets.push(...(await silencePackets(opusModule, (part.chunk - expected) * CHUNK_PACKETS)));
        // A part that vanished or is torn is a stretch of silence, not a shifted timeline.
        if (stored && stored.packets.length === CHUNK_PACKETS) packets.push(...stored.packets);
        else {
          packets.push(...(await silencePackets(opusModule, CHUNK_PACKETS)));
          console.log(JSON.stringify({ event: "recording_part_unreadable", spaceId: this.spaceId, chunk: part.chunk }));
        }
        writer ??= new OggOpusWriter(randomSerial(), stored?.preSkip ?? (await encoderPreSkip(opusModule)), RECORDING_SAMPLE_RATE);
        await out.write(writer.write(packets));
        expected = part.chunk + 1;
      }
      await out.write(writer!.end((expected - first) * CHUNK_MS * 48));
      await out.close();
    } catch (error) {
      await out.abort();
      throw error;
    }
    await this.bucket.delete(parts.map((p) => p.key));
    this.sql.exec("DELETE FROM recording_parts");
    return { key, bytes: out.bytes, offsetMs: first * CHUNK_MS, durationMs: (expected - first) * CHUNK_MS };
  }

  /** A stored part's packets; null when it is gone, torn, or could not be read (never throws: it is read ahead). */
  private async readPart(key: string): Promise<OpusPackets | null> {
    try {
      const object = await this.bucket.get(key);
      return object ? demuxOggOpus(new Uint8Array(await object.arrayBuffer())) : null;
    } catch (error) {
      console.log(JSON.stringify({ event: "recording_part_read_failed", spaceId: this.spaceId, key, error: String(error) }));
      return null;
    }
  }

  private enqueue(taken: TakenChunk, last: boolean): void {
    this.queue = this.queue.then(async () => {
      this.stream ??= await OpusStream.create(opusModule);
      // Each part is a small Ogg Opus file of its own (playable alone); only its packets matter at the end.
      const part = muxOggOpus({ preSkip: this.stream.preSkip, inputRate: RECORDING_SAMPLE_RATE, packets: this.stream.encode(taken.samples) }, { serial: randomSerial() });
      if (last) {
        this.stream.close();
        this.stream = null;
      }
      this.encodedSamples += taken.samples.length;
      const key = partKey(this.spaceId, taken.chunk);
      await this.bucket.put(key, part, { httpMetadata: { contentType: RECORDING_CONTENT_TYPE } });
      this.sql.exec("INSERT OR REPLACE INTO recording_parts (chunk, key, bytes) VALUES (?, ?, ?)", taken.chunk, key, part.byteLength);
    }).catch((error: unknown) => {
      console.log(JSON.stringify({ event: "recording_part_failed", spaceId: this.spaceId, chunk: taken.chunk, error: String(error) }));
    });
  }
}
