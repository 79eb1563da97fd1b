// Live captions on the client: the lines to show (each speaker's current interim plus recent finals), the finals
// for screen readers, and the per-browser CC preference. Kept per Space for the page session, outside any component,
// so the panel can move between the phone and desktop layouts without losing what it showed. Fed by `caption` frames.
import { untrack } from "svelte";
import type { CaptionMessage } from "#protocol/room.ts";
import type { RoomClient } from "../room.svelte.ts";

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

/** Each Space's caption feed for this page session: a panel rebuilt at a breakpoint, or after the mini-player, finds
 *  its lines here. A feed holds a few short lines, so keeping one per Space visited costs nothing worth freeing. */
const feeds = new Map<string, CaptionFeed>();

export function captionFeed(spaceId: string): CaptionFeed {
  let feed = feeds.get(spaceId);
  if (!feed) {
    feed = new CaptionFeed();
    feeds.set(spaceId, feed);
  }
  return feed;
}

/** Feeds the Space's feed from its room while you are in it, whether or not a panel shows it; returns the stop. */
export function followCaptions(room: RoomClient): () => void {
  const feed = captionFeed(room.spaceId);
  const stopFrames = room.onCaption((caption) => feed.add(caption));
  // Someone who left the stage is not still talking: drop their half-formed line.
  const stopStage = $effect.root(() => {
    $effect(() => {
      const onStage = new Set(room.participants.map((participant) => participant.userId));
      untrack(() => feed.forgetInterimsExcept(onStage));
    });
  });
  return () => {
    stopFrames();
    stopStage();
    // Out of the room nobody's sentence is still forming for you; a later "Join again" starts from the finals.
    feed.forgetInterimsExcept(new Set());
  };
}

/** The name a caption line shows: the speaker's display name while they are in the room, else their handle. */
export function captionSpeaker(room: RoomClient, line: CaptionLine): string {
  return room.participants.find((participant) => participant.userId === line.speakerId)?.displayName ?? `@${line.handle}`;
}

/** The CC switch, shared by the panel (wherever it renders) and the screen-reader region (which never moves). */
class CaptionsPreference {
  enabled = $state(loadCaptionsPreference());

  toggle(): void {
    this.enabled = !this.enabled;
    saveCaptionsPreference(this.enabled);
  }
}

export const captionsPreference = new CaptionsPreference();

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
