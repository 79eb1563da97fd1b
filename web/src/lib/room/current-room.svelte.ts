// The room you are in, kept at the app's top level so its connection and audio outlive the room page: moving around
// the app keeps the Space playing (the mini-player), and only Leave (or joining another Space) closes it.
import type { SpaceView } from "#protocol/api.ts";
import { pauseRemoteAudio, playRemoteAudio, showNowPlaying } from "../audio/media-session.ts";
import { RoomAudio } from "../audio/room-audio.svelte.ts";
import { RoomClient, type JoinTicket } from "../room.svelte.ts";
import { followCaptions } from "./captions.svelte.ts";

export type CurrentSpace = Pick<SpaceView, "id" | "title" | "host">;

class CurrentRoom {
  room = $state<RoomClient | null>(null);
  audio = $state<RoomAudio | null>(null);
  space = $state<CurrentSpace | null>(null);
  /** The Space you last left on purpose: its page offers "Join again" instead of pulling you straight back in. */
  leftSpaceId = $state<string | null>(null);
  /** Paused from the lock screen (Media Session): this device stops playing, the room still counts you. */
  paused = $state(false);
  private stopNowPlaying: (() => void) | null = null;
  private stopCaptions: (() => void) | null = null;

  /** Joins `space` unless already in it; leaves any other room first. `ticket`: a join ticket the page already has. */
  enter(space: CurrentSpace, ticket: JoinTicket | null = null): RoomClient {
    if (this.room && this.room.spaceId === space.id && !this.room.finished) {
      this.space = { id: space.id, title: space.title, host: space.host };
      return this.room;
    }
    this.close();
    const room = new RoomClient(space.id, ticket);
    this.room = room;
    this.audio = new RoomAudio(room);
    this.space = { id: space.id, title: space.title, host: space.host };
    this.leftSpaceId = null;
    this.paused = false;
    this.stopNowPlaying = $effect.root(() => {
      $effect(() => this.nowPlaying());
    });
    this.stopCaptions = followCaptions(room);
    void room.connect();
    return room;
  }

  /** Leave on purpose: the socket closes (the room counts you out) and the audio stops. */
  leave(): void {
    const id = this.room?.spaceId ?? null;
    this.close();
    this.leftSpaceId = id;
  }

  /** Whether the mini-player should show: a room that is still running. */
  get playing(): boolean {
    return this.room !== null && !this.room.finished;
  }

  /** While the room is open: title, host and artwork on the lock screen, with play/pause and leave. */
  private nowPlaying(): (() => void) | undefined {
    const { room, space, paused } = this;
    if (!room || !space || room.status !== "open") return undefined;
    return showNowPlaying(
      { spaceId: space.id, title: space.title, hostName: space.host.displayName, playing: !paused },
      {
        play: () => {
          this.paused = false;
          void playRemoteAudio();
        },
        pause: () => {
          this.paused = true;
          pauseRemoteAudio();
        },
        leave: () => this.leave(),
      },
    );
  }

  private close(): void {
    this.stopNowPlaying?.();
    this.stopNowPlaying = null;
    this.stopCaptions?.();
    this.stopCaptions = null;
    this.audio?.destroy();
    this.room?.disconnect();
    this.audio = null;
    this.room = null;
    this.space = null;
  }
}

export const currentRoom = new CurrentRoom();
