// Live captions on the client: the lines to show (each speaker's current interim plus recent finals), the finals
// for screen readers, and the per-browser CC preference. Fed by the room's `caption` frames.
import type { CaptionMessage } from "#protocol/room.ts";

export type CaptionLine = { key: string; speakerId: string; handle: string; text: string; final: boolean };

/** Enough lines to follow a conversation without the panel growing; older ones scroll out. */
const VISIBLE_LINES = 4;
/** The live region keeps a few finals so each new one is an addition a screen reader reads once. */
const SPOKEN_LINES = 3;
const PREFERENCE_KEY = "spaces.captions";

export class CaptionFeed {
  /** What the captions area shows, oldest first: finals, then interims still being spoken. */
  lines = $state<CaptionLine[]>([]);
  /** Finals only, for the polite live region. */
  spoken = $state<CaptionLine[]>([]);
  private finals = 0;

  add(caption: CaptionMessage): void {
    const text = caption.text.trim();
    const interimKey = `interim-${caption.speakerId}`;
    // A newer interim replaces the speaker's previous one; a final replaces the interim it settles.
    const others = this.lines.filter((line) => line.key !== interimKey);
    if (!caption.final) {
      this.lines = text ? [...others, { key: interimKey, speakerId: caption.speakerId, handle: caption.handle, text, final: false }].slice(-VISIBLE_LINES) : others;
      return;
    }
    if (!text) {
      this.lines = others;
      return;
    }
    const line: CaptionLine = { key: `final-${++this.finals}`, speakerId: caption.speakerId, handle: caption.handle, text, final: true };
    const finals = others.filter((entry) => entry.final);
    const interims = others.filter((entry) => !entry.final);
    this.lines = [...finals, line, ...interims].slice(-VISIBLE_LINES);
    this.spoken = [...this.spoken, line].slice(-SPOKEN_LINES);
  }

  /** Drops what a speaker was still saying, e.g. when they leave the stage mid-sentence. */
  forgetInterimsExcept(onStage: Set<string>): void {
    const kept = this.lines.filter((line) => line.final || onStage.has(line.speakerId));
    if (kept.length !== this.lines.length) this.lines = kept;
  }
}

/** Whether this browser wants captions shown; off until someone turns them on, then remembered. */
export function loadCaptionsPreference(): boolean {
  try {
    return localStorage.getItem(PREFERENCE_KEY) === "on";
  } catch {
    return false;
  }
}

export function saveCaptionsPreference(enabled: boolean): void {
  try {
    localStorage.setItem(PREFERENCE_KEY, enabled ? "on" : "off");
  } catch {
    // Private modes may refuse storage; the button still works for this visit.
  }
}
