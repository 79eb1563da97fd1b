// The media object's recording switch and its one Recorder: on/off as the room says (meta "recording" in the object's
// SQLite, so it survives an eviction), the live mix tracks write to, and the replay produced when the Space ends.
//   off ──set(on)──▶ recording (mix in memory, a part to R2 every 4 s; the alarm keeps storing while nobody sends)
//   recording ──set(off)──▶ off (last part stored, encoder ended) ; at the end the parts become the replay (D1).
// After a wake the recorder resumes at the current chunk; the lost chunk becomes silence in the replay.
import { db } from "../../db/client.ts";
import { saveRecording } from "../../db/recordings.ts";
import { log } from "../adapter-sockets.ts";
import type { MediaStorage } from "../media-storage.ts";
import { AudioWaiters } from "./audio-waiters.ts";
import { MAX_HOLD_MS } from "./mix.ts";
import { Recorder } from "./recorder.ts";
import { RecorderSink } from "./recorder-sink.ts";
import { RECORDING_CONTENT_TYPE } from "./recording-format.ts";

/** Reaction counts of one second of the Space (second = whole seconds since its start), kept by the room. */
export type ReactionSecond = { second: number; counts: Record<string, number> };

export class SpaceRecording {
  private recorder: Recorder | null = null;
  private readonly env: Env;
  private readonly sql: SqlStorage;
  private readonly store: MediaStorage;
  private readonly waiters = new AudioWaiters();

  constructor(env: Env, sql: SqlStorage, store: MediaStorage) {
    this.env = env;
    this.sql = sql;
    this.store = store;
  }

  get on(): boolean {
    return this.store.meta("recording") === "1";
  }

  /** Whether chunks are being encoded now (the alarm then stores them even while nobody sends). */
  get running(): boolean {
    return this.recorder?.running ?? false;
  }

  /** The host's switch; `nowMs` is the Space's time. Off stores the last part and ends the encoder. */
  async set(spaceId: string, on: boolean, nowMs: number): Promise<void> {
    this.store.setMeta("recording", on ? "1" : "0");
    if (on) this.recorderFor(spaceId).start(nowMs);
    else await this.recorder?.stop(nowMs);
    log("media_recording", { spaceId, on });
  }

  /** The live recorder, started again after a wake while recording is on; null when not recording. */
  live(nowMs: number): Recorder | null {
    const spaceId = this.store.meta("spaceId");
    if (!spaceId || !this.on) return null;
    const recorder = this.recorderFor(spaceId);
    recorder.start(nowMs);
    return recorder;
  }

  /** A track's recorder sink: it writes into the live mix, and drops audio while recording is off. */
  sink(): RecorderSink {
    return new RecorderSink(() => this.recorder?.liveMix() ?? null, this.store.meta("spaceId") ?? "");
  }

  /** A track placed audio (called after each packet): an end waiting for late audio looks again. */
  placed(): void {
    this.waiters.wake();
  }

  /** Before the Space's adapters close: waits, at most MAX_HOLD_MS, until every live track's audio reached `endMs`,
   *  so audio a stalled track still has on its way lands in the last chunk instead of being cut off. */
  async settle(endMs: number): Promise<void> {
    const mix = this.recorder?.liveMix();
    if (!mix) return;
    const settled = await this.waiters.until(() => mix.settledMs >= endMs, MAX_HOLD_MS);
    if (!settled) log("media_recording_end_unsettled", { spaceId: this.store.meta("spaceId"), endMs, settledMs: Math.round(mix.settledMs) });
  }

  /** Joins the parts into the replay and records it in D1, with the per-second reactions on the replay's timeline. */
  async finish(nowMs: number, reactions: ReactionSecond[]): Promise<void> {
    const spaceId = this.store.meta("spaceId");
    if (!spaceId) return;
    const started = Date.now();
    const finished = await this.recorderFor(spaceId).finish(nowMs);
    this.store.setMeta("recording", "0");
    if (!finished) return;
    const onReplay = reactions
      .map((r) => ({ atMs: r.second * 1000 - finished.offsetMs, counts: r.counts }))
      .filter((r) => r.atMs >= 0 && r.atMs < finished.durationMs);
    await saveRecording(db(this.env), {
      spaceId,
      audioKey: finished.key,
      contentType: RECORDING_CONTENT_TYPE,
      bytes: finished.bytes,
      offsetMs: finished.offsetMs,
      durationMs: finished.durationMs,
      reactions: JSON.stringify(onReplay),
    });
    log("media_recording_finished", { spaceId, bytes: finished.bytes, durationMs: finished.durationMs, finishMs: Date.now() - started });
  }

  private recorderFor(spaceId: string): Recorder {
    this.recorder ??= new Recorder(this.env.MEDIA, this.sql, spaceId);
    return this.recorder;
  }
}
