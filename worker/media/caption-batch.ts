// Coalesces captions between flushes, like reactions: a listener gets at most a few caption frames a second.
// Interims are per speaker and the latest wins; finals are never dropped and keep their order.
import type { CaptionMessage } from "../protocol/room.ts";
import type { Caption } from "./stt-sink.ts";

export const CAPTION_FLUSH_MS = 300;

export class CaptionBatch {
  private finals: Caption[] = [];
  private interims = new Map<string, Caption>();

  add(caption: Caption): void {
    if (caption.final) {
      this.finals.push(caption);
      // The final supersedes that speaker's interim words.
      this.interims.delete(caption.speakerId);
    } else {
      this.interims.set(caption.speakerId, caption);
    }
  }

  get isEmpty(): boolean {
    return this.finals.length === 0 && this.interims.size === 0;
  }

  /** Finals first (in order), then each speaker's latest interim; empties the batch. */
  take(): { frames: CaptionMessage[]; finals: Caption[] } {
    const finals = this.finals;
    const frames = [...finals, ...this.interims.values()].map((c): CaptionMessage => ({ type: "caption", ...c }));
    this.finals = [];
    this.interims = new Map();
    return { frames, finals };
  }
}
