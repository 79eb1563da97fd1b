// The live room on the client: joins over HTTP, keeps one WebSocket (reconnecting with a fresh join token),
// applies snapshot/update frames to rune state, and surfaces reactions and announcements for the page.
import {
  REACTIONS_PER_SECOND,
  ROOM_SUBPROTOCOL,
  type CaptionMessage,
  type CaptionsState,
  type ClientMessage,
  type HandEntry,
  type ListenerEntry,
  type ReactionEmoji,
  type Participant,
  type ReactionSender,
  type ReactionsMessage,
  type RoomSpace,
  type ServerMessage,
  type UpdateMessage,
  type YouState,
} from "#protocol/room.ts";
import type { GuestJoin } from "#protocol/guest.ts";
import { api, ApiFailure, errorMessage, setGuestToken } from "./api.ts";

export type RoomStatus = "connecting" | "open" | "reconnecting" | "ended" | "removed" | "failed";

/** A reaction shown floating over the stage for a moment. */
export type FloatingReaction = { id: number; emoji: string; from: string };

/** POST /join's answer (DESIGN.md's contract), also carried by GET /spaces/:id?join=1. */
export type JoinTicket = { url: string; token: string; protocols?: string[] };

const RECONNECT_DELAYS_MS = [500, 1000, 2000, 4000, 8000];

export class RoomClient {
  status = $state<RoomStatus>("connecting");
  /** Why joining failed (ticket needed, blocked, ended …), as the API said it. */
  failure = $state<{ code: string; message: string } | null>(null);
  /** Listening without an account: no reactions, no hand, a prompt to sign up instead. */
  guest = $state(false);
  space = $state<RoomSpace | null>(null);
  you = $state<YouState | null>(null);
  participants = $state<Participant[]>([]);
  hands = $state<HandEntry[]>([]);
  pin = $state<string | null>(null);
  /** Everyone connected, the stage included (the room's count). */
  listenerCount = $state(0);
  /** The first listeners (not on stage) by when they joined, as the room sends them. */
  listeners = $state<ListenerEntry[]>([]);
  lastError = $state<string | null>(null);
  /** The newest sentence for the screen-reader live region. */
  announcement = $state("");
  floating = $state<FloatingReaction[]>([]);
  reactionTotals = $state<Record<string, number>>({});
  /** The Space's captions switch as the room reports it; rooms that predate captions report nothing. */
  captions = $state<CaptionsState>("unavailable");
  /** The host is recording this Space (REC badge; going on stage means being recorded). */
  recording = $state(false);

  readonly spaceId: string;
  private socket: WebSocket | null = null;
  private attempts = 0;
  private closedByUs = false;
  private floatId = 0;
  private recentReactions: number[] = [];
  private readonly captionListeners = new Set<(caption: CaptionMessage) => void>();

  /** Told each join token as it is issued, so the audio session can start alongside the socket. */
  onJoinTicket: ((token: string) => void) | null = null;
  /** A ticket that came with the page's first data call (GET /spaces/:id?join=1), used once instead of POST /join. */
  private ticket: JoinTicket | null;

  constructor(spaceId: string, ticket: JoinTicket | null = null) {
    this.spaceId = spaceId;
    this.ticket = ticket;
  }

  get canManage(): boolean {
    return this.you?.role === "host" || this.you?.role === "cohost";
  }

  /** The room is over for this client: ended, removed, or it could not join. */
  get finished(): boolean {
    return this.status === "ended" || this.status === "removed" || this.status === "failed";
  }

  /** People on the stage who are connected. */
  get speakerCount(): number {
    return this.participants.filter((p) => p.connected).length;
  }

  /** Connected people who are not on the stage: the room's count minus the stage. */
  get audienceCount(): number {
    return Math.max(0, this.listenerCount - this.speakerCount);
  }

  /**
   * Sends a reaction unless you already sent the room's per-second allowance: extra taps are absorbed quietly,
   * as audio room apps do, instead of earning an error.
   */
  react(emoji: ReactionEmoji): void {
    const now = Date.now();
    this.recentReactions = this.recentReactions.filter((at) => now - at < 1000);
    if (this.recentReactions.length >= REACTIONS_PER_SECOND) return;
    this.recentReactions.push(now);
    this.send({ type: "react", emoji });
  }

  get onStage(): boolean {
    return this.you !== null && this.you.role !== "listener";
  }

  async connect(): Promise<void> {
    this.closedByUs = false;
    let joined: JoinTicket & { guest?: GuestJoin["guest"] };
    try {
      joined = this.ticket ?? (await api.post<typeof joined>(`/spaces/${encodeURIComponent(this.spaceId)}/join`));
    } catch (error) {
      if (error instanceof ApiFailure && error.status !== 0 && error.status < 500) {
        this.failure = { code: error.code, message: error.message };
        this.status = error.code === "space_ended" ? "ended" : "failed";
        return;
      }
      this.lastError = errorMessage(error);
      this.scheduleReconnect();
      return;
    }
    this.ticket = null;
    // Without an account the room takes you as a listen-only guest; the guest pass opens the audio.
    this.guest = joined.guest !== undefined;
    if (joined.guest) setGuestToken(joined.guest.token);
    this.onJoinTicket?.(joined.token);
    const url = new URL(joined.url, location.href);
    url.protocol = url.protocol === "https:" || url.protocol === "wss:" ? "wss:" : "ws:";
    // The token travels as a subprotocol, never in the URL (URLs land in logs); the room answers "spaces".
    const socket = new WebSocket(url, joined.protocols ?? [ROOM_SUBPROTOCOL, joined.token]);
    this.socket = socket;
    socket.onmessage = (event) => {
      try {
        this.receive(JSON.parse(String(event.data)) as ServerMessage);
      } catch {
        this.lastError = "The room sent something this page could not read.";
      }
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.closedByUs || this.finished) return;
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.closedByUs) return;
    this.status = "reconnecting";
    const delay = RECONNECT_DELAYS_MS[Math.min(this.attempts, RECONNECT_DELAYS_MS.length - 1)]!;
    this.attempts += 1;
    setTimeout(() => void this.connect(), delay);
  }

  disconnect(): void {
    this.closedByUs = true;
    this.socket?.close(1000, "left");
    this.socket = null;
  }

  send(message: ClientMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
    else this.lastError = "Not connected to the room right now; trying again…";
  }

  /** Caption frames go to whoever shows them (the captions panel); returns the unsubscribe function. */
  onCaption(listener: (caption: CaptionMessage) => void): () => void {
    this.captionListeners.add(listener);
    return () => this.captionListeners.delete(listener);
  }

  private announce(text: string): void {
    // Re-setting the same text would not be read again; a trailing zero-width space makes it new.
    this.announcement = this.announcement === text ? `${text}\u200b` : text;
  }

  private receive(message: ServerMessage): void {
    switch (message.type) {
      case "snapshot":
        this.status = "open";
        this.attempts = 0;
        this.lastError = null;
        this.space = message.space;
        this.setYou(message.you);
        this.participants = message.participants;
        this.hands = message.hands;
        this.pin = message.pin;
        this.listenerCount = message.listenerCount;
        this.listeners = message.listeners ?? [];
        this.captions = message.captions ?? "unavailable";
        this.recording = message.recording ?? false;
        break;
      case "update":
        this.applyUpdate(message);
        break;
      case "reactions":
        this.showReactions(message);
        break;
      case "error":
        if (message.code === "too_many_connections") {
          // Open in too many tabs or devices: reconnecting would be refused again, so say why and stop.
          this.failure = { code: message.code, message: message.message };
          this.status = "failed";
          break;
        }
        // The client already keeps to the reaction allowance; a late refusal is not worth a red message.
        if (message.code !== "rate_limited") this.lastError = message.message;
        break;
      case "removed":
        this.status = "removed";
        this.announce(message.blocked ? "You were removed and blocked by the host." : "You were removed by the host.");
        break;
      case "ended":
        this.status = "ended";
        this.announce("This Space has ended.");
        break;
      case "pong":
        break;
      case "caption":
        for (const listener of this.captionListeners) listener(message);
        break;
      default: {
        const unknown: never = message;
        void unknown;
      }
    }
  }

  private setYou(next: YouState): void {
    const before = this.you;
    this.you = next;
    if (!before) return;
    if (before.role === "listener" && next.role !== "listener") this.announce("You can speak now.");
    if (before.role !== "listener" && next.role === "listener") this.announce("You are a listener now.");
    if (!before.muted && next.muted && next.mutedBy === "moderator") this.announce("You were muted by the host.");
    if (!before.invited && next.invited) this.announce("The host invited you to speak.");
  }

  private applyUpdate(update: UpdateMessage): void {
    if (update.participants || update.gone) {
      const byId = new Map(this.participants.map((p) => [p.userId, p]));
      for (const id of update.gone ?? []) byId.delete(id);
      for (const p of update.participants ?? []) byId.set(p.userId, p);
      const order = { host: 0, cohost: 1, speaker: 2 } as const;
      const previous = new Map(this.participants.map((p, i) => [p.userId, i]));
      this.participants = [...byId.values()].sort(
        (a, b) => order[a.role] - order[b.role] || (previous.get(a.userId) ?? 1e9) - (previous.get(b.userId) ?? 1e9),
      );
    }
    if (update.handsRemoved) this.hands = this.hands.filter((h) => !update.handsRemoved!.includes(h.userId));
    if (update.handsAdded) {
      this.hands = [...this.hands, ...update.handsAdded];
      for (const hand of update.handsAdded) this.announce(`${hand.displayName} asked to speak.`);
    }
    if (update.you) this.setYou(update.you);
    if (update.pin !== undefined) this.pin = update.pin;
    if (update.speakPolicy && this.space) this.space = { ...this.space, speakPolicy: update.speakPolicy };
    if (update.listenerCount !== undefined) this.listenerCount = update.listenerCount;
    if (update.listeners) this.listeners = update.listeners;
    if (update.captions) this.captions = update.captions;
    if (update.recording !== undefined) {
      this.recording = update.recording;
      this.announce(update.recording ? "The host started recording this Space." : "The host stopped recording this Space.");
    }
  }

  private showReactions(message: ReactionsMessage): void {
    if (message.listenerCount !== undefined) this.listenerCount = message.listenerCount;
    if (message.listeners) this.listeners = message.listeners;
    const totals = { ...this.reactionTotals };
    for (const [emoji, count] of Object.entries(message.counts)) totals[emoji] = (totals[emoji] ?? 0) + (count ?? 0);
    this.reactionTotals = totals;
    // Float a bounded number per batch however many arrived: the counts carry the rest.
    const fresh: FloatingReaction[] = message.recent.slice(-6).map((sender: ReactionSender) => ({
      id: ++this.floatId,
      emoji: sender.emoji,
      from: sender.handle,
    }));
    this.floating = [...this.floating, ...fresh].slice(-24);
    setTimeout(() => {
      const gone = new Set(fresh.map((f) => f.id));
      this.floating = this.floating.filter((f) => !gone.has(f.id));
    }, 2500);
  }
}
