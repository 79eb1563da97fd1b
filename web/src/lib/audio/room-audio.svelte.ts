// The room's audio in the browser: follows the RoomClient's state and makes the Calls session match it — publish
// the mic while on stage (sending only while unmuted), pull every other stage track, recover a dropped connection.
import type { TrackRef } from "#protocol/room.ts";
import { ApiFailure } from "../api.ts";
import type { RoomClient } from "../room.svelte.ts";
import { CallsPeer, type Published } from "./calls-peer.ts";
import { requestMicrophone } from "./microphone.ts";
import { SpeakingMeter } from "./speaking.svelte.ts";

export type MicState = "off" | "asking" | "on" | "problem";
export type AudioConnection = "idle" | "connecting" | "connected" | "reconnecting";
/** A stage member's incoming audio; the component plays each in an <audio> element. */
export type RemoteAudio = { userId: string; track: TrackRef; mid: string; stream: MediaStream };

const RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000];
/** "disconnected" often heals by itself; after this long the session is rebuilt. */
const DISCONNECTED_GRACE_MS = 3000;

const keyOf = (track: TrackRef) => `${track.sessionId}/${track.trackName}`;

export class RoomAudio {
  mic = $state<MicState>("off");
  /** The latest microphone problem, for the ARIA live region; empty when there is none. */
  micMessage = $state("");
  needsTap = $state(false);
  connection = $state<AudioConnection>("idle");
  remotes = $state<RemoteAudio[]>([]);

  private readonly room: RoomClient;
  private readonly meter = new SpeakingMeter();
  private peer: CallsPeer | null = null;
  private microphone: { stream: MediaStream; track: MediaStreamTrack } | null = null;
  private micBlocked = false;
  private askedToMute = false;
  private published: Published | null = null;
  /** Pulled tracks by `sessionId/trackName`, and who owns each incoming m-line. */
  private readonly pulled = new Map<string, { userId: string; mid: string }>();
  private readonly ownerOfMid = new Map<string, { userId: string; track: TrackRef }>();
  private readonly incoming = new Map<string, MediaStreamTrack>();
  private running = false;
  private dirty = false;
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private disconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private destroyed = false;
  /** A Calls session started with the join ticket while the room socket opens; the first reconcile takes it. */
  private opening: Promise<CallsPeer> | null = null;

  constructor(room: RoomClient) {
    this.room = room;
    room.onJoinTicket = (token) => this.startEarly(token);
  }

  /** Starts the Calls session in parallel with the room socket instead of after the snapshot: one round trip less. */
  private startEarly(joinToken: string): void {
    if (this.peer || this.opening || this.destroyed) return;
    this.opening = this.openPeer(joinToken);
    // A failure here is retried by the reconcile that takes it; nothing is left unhandled meanwhile.
    this.opening.catch(() => undefined);
  }

  private openPeer(joinToken?: string): Promise<CallsPeer> {
    return CallsPeer.open(
      this.room.spaceId,
      {
        onTrack: (mid, track) => this.trackArrived(mid, track),
        onConnectionState: (state) => this.connectionChanged(state),
      },
      joinToken,
    );
  }

  /** Call whenever the room's state changes; work is serialized and coalesced. */
  sync(): void {
    if (this.destroyed) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    void this.loop();
  }

  retryMicrophone(): void {
    this.micBlocked = false;
    this.micMessage = "";
    this.sync();
  }

  /** After a click: play what autoplay blocked and start the level meter. */
  async unblockPlayback(elements: HTMLAudioElement[]): Promise<void> {
    await Promise.all(elements.map((element) => element.play().catch(() => undefined)));
    await this.meter.resume();
    this.needsTap = elements.some((element) => element.paused);
  }

  playbackBlocked(): void {
    this.needsTap = true;
  }

  destroy(): void {
    this.destroyed = true;
    void this.opening?.then((peer) => peer.close(), () => undefined);
    this.opening = null;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.teardown();
    this.meter.stop();
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      do {
        this.dirty = false;
        await this.reconcile();
        this.attempts = 0;
      } while (this.dirty && !this.destroyed);
    } catch (error) {
      this.failed(error);
    } finally {
      this.running = false;
    }
  }

  private async reconcile(): Promise<void> {
    const { status, you, participants } = this.room;
    if (status === "ended" || status === "removed" || status === "failed") return this.teardown();
    if (status !== "open" || !you || this.destroyed) return;
    const onStage = you.role !== "listener";
    if (!this.peer) {
      this.connection = "connecting";
      const opening = this.opening ?? this.openPeer();
      this.opening = null;
      this.peer = await opening;
      if (this.destroyed) return this.teardown();
    }
    const peer = this.peer;

    if (onStage && !this.microphone && !this.micBlocked) await this.askForMicrophone();
    if (onStage && !this.microphone && !you.muted && !this.askedToMute) {
      // Without a microphone the person stays on stage, shown muted to everyone.
      this.askedToMute = true;
      this.room.send({ type: "mute", userId: you.userId });
    }
    if (you.muted) this.askedToMute = false;
    if (onStage && this.microphone && !this.published) this.published = await peer.publish(this.microphone.track);
    if (!onStage) this.releaseMicrophone();
    await this.applySending(onStage && !you.muted);

    const wanted = new Map<string, { userId: string; track: TrackRef }>();
    for (const p of participants) if (p.track && p.userId !== you.userId) wanted.set(keyOf(p.track), { userId: p.userId, track: p.track });
    const gone = [...this.pulled].filter(([key]) => !wanted.has(key));
    if (gone.length > 0) {
      await peer.drop(gone.map(([, pull]) => pull.mid));
      for (const [key, pull] of gone) this.forget(key, pull.mid);
    }
    const added = [...wanted].filter(([key]) => !this.pulled.has(key));
    if (added.length > 0) {
      const pulled = await peer.pull(added.map(([, want]) => want.track));
      for (const track of pulled) {
        const owner = wanted.get(keyOf(track));
        if (!owner) continue;
        this.pulled.set(keyOf(track), { userId: owner.userId, mid: track.mid });
        this.ownerOfMid.set(track.mid, owner);
        this.showRemote(track.mid);
      }
    }
  }

  private async askForMicrophone(): Promise<void> {
    this.mic = "asking";
    const result = await requestMicrophone();
    if (result.ok) {
      this.microphone = { stream: result.stream, track: result.track };
      this.mic = "on";
      this.micMessage = "";
    } else {
      this.micBlocked = true;
      this.mic = "problem";
      this.micMessage = result.message;
    }
  }

  /** Muted means nothing leaves the browser: the sender carries no track, not merely a silent one. */
  private async applySending(sending: boolean): Promise<void> {
    const myId = this.room.you?.userId;
    if (!this.published || !this.microphone) return;
    const want = sending ? this.microphone.track : null;
    this.microphone.track.enabled = sending;
    if (this.published.sender.track !== want) await this.published.sender.replaceTrack(want);
    if (!myId) return;
    if (sending) this.meter.watch(myId, this.microphone.stream);
    else this.meter.unwatch(myId);
  }

  private releaseMicrophone(): void {
    if (this.published) void this.published.sender.replaceTrack(null).catch(() => undefined);
    this.published = null;
    for (const track of this.microphone?.stream.getTracks() ?? []) track.stop();
    this.microphone = null;
    if (this.mic === "on" || this.mic === "asking") this.mic = "off";
    const myId = this.room.you?.userId;
    if (myId) this.meter.unwatch(myId);
  }

  private trackArrived(mid: string, track: MediaStreamTrack): void {
    this.incoming.set(mid, track);
    this.showRemote(mid);
  }

  /** A pulled m-line becomes audible once both its owner (from the pull) and its track (from ontrack) are known. */
  private showRemote(mid: string): void {
    const owner = this.ownerOfMid.get(mid);
    const incoming = this.incoming.get(mid);
    if (!owner || !incoming || this.remotes.some((remote) => remote.mid === mid)) return;
    const stream = new MediaStream([incoming]);
    const { userId, track } = owner;
    this.remotes = [...this.remotes.filter((remote) => remote.userId !== userId), { userId, track, mid, stream }];
    this.meter.watch(userId, stream);
  }

  private forget(key: string, mid: string): void {
    const userId = this.ownerOfMid.get(mid)?.userId;
    this.pulled.delete(key);
    this.ownerOfMid.delete(mid);
    this.incoming.delete(mid);
    this.remotes = this.remotes.filter((remote) => remote.mid !== mid);
    if (userId && !this.remotes.some((remote) => remote.userId === userId)) this.meter.unwatch(userId);
  }

  private connectionChanged(state: RTCPeerConnectionState): void {
    if (this.disconnectTimer !== null) clearTimeout(this.disconnectTimer);
    this.disconnectTimer = null;
    if (state === "connected") this.connection = "connected";
    else if (state === "failed") this.restart();
    else if (state === "disconnected") this.disconnectTimer = setTimeout(() => this.restart(), DISCONNECTED_GRACE_MS);
  }

  /** A new Calls session from scratch: publish again (the room closes the old track) and pull the stage again. */
  private restart(): void {
    if (this.destroyed) return;
    this.dropPeer();
    this.connection = "reconnecting";
    this.sync();
  }

  private failed(error: unknown): void {
    if (this.destroyed) return;
    // A refusal that follows a role change the page has not seen yet is settled by the next update, not a rebuild.
    const refused = error instanceof ApiFailure && (error.code === "forbidden" || error.code === "not_in_room");
    if (!refused) {
      this.dropPeer();
      this.connection = "reconnecting";
      console.warn("room audio failed; rebuilding the session", error);
    }
    const delay = RETRY_DELAYS_MS[Math.min(this.attempts, RETRY_DELAYS_MS.length - 1)] ?? 8000;
    this.attempts += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.sync();
    }, delay);
  }

  private dropPeer(): void {
    this.peer?.close();
    this.peer = null;
    if (this.published) this.published = null;
    for (const [key, pull] of [...this.pulled]) this.forget(key, pull.mid);
    this.incoming.clear();
    this.remotes = [];
  }

  private teardown(): void {
    this.dropPeer();
    this.releaseMicrophone();
    this.connection = "idle";
  }
}
