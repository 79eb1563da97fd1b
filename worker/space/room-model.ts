// The room's in-memory model (people, stage, hands, pin) with the views sent on the wire and the effect list a transition fills.
import type { SpeakPolicy } from "../protocol/api.ts";
import type {
  CaptionsState,
  EndReason,
  HandEntry,
  ListenerEntry,
  MutedBy,
  Participant,
  ReactionEmoji,
  ReactionSender,
  Role,
  RoomSpace,
  ServerMessage,
  SnapshotMessage,
  TrackRef,
  UpdateMessage,
  YouState,
} from "../protocol/room.ts";
import { LISTENER_SAMPLE_SIZE } from "../protocol/room.ts";

/** What the Worker vouches for (from a verified join token). */
export type Identity = {
  userId: string;
  handle: string;
  displayName: string;
  hostFollows: boolean;
  /** Their profile picture (a same-origin URL); absent or null: the UI shows initials. */
  avatarUrl?: string | null;
};

/** The avatar field for a wire entry: present only when the person has a picture, so frames stay small. */
const avatarOf = (person: { avatarUrl?: string | null }) => (person.avatarUrl ? { avatarUrl: person.avatarUrl } : {});

export type Person = Identity & {
  role: Role;
  muted: boolean;
  mutedBy: MutedBy | null;
  handRaisedAt: number | null;
  invited: boolean;
  track: TrackRef | null;
  /** Open socket ids; a set so a late or repeated close of one socket is harmless. */
  connections: Set<string>;
  /** The shard whose socket reaches this person (then `connections` holds that one route and the shard counts them),
   *  or null when their sockets are the room's own. */
  via: string | null;
  /** When their last socket closed, while they are within the reconnect grace period. */
  leftAt: number | null;
  /** Reaction rate window (memory only). */
  reactWindowStart: number;
  reactCount: number;
  reactRejected: boolean;
  rateNotified: boolean;
  /** The track whose SFU adapter the media object gave up on; shown while it is still their track. */
  captionsLostTrack?: TrackRef | null;
};

export type RoomState = {
  space: RoomSpace;
  phase: "live" | "ended";
  endedAt: number | null;
  pin: string | null;
  /** Everyone connected, plus stage members, hand raisers and invitees within their grace period. */
  people: Map<string, Person>;
  /** userIds of host, co-hosts and speakers, in the order they came on stage. */
  stage: string[];
  /** userIds with a raised hand, oldest first. */
  hands: string[];
  /** userIds with leftAt set (their deadlines drive the alarm). */
  away: Set<string>;
  blocked: Set<string>;
  /** Distinct people with at least one open socket, whatever their role. */
  listenerCount: number;
  peakListeners: number;
  /** The host's captions switch (persisted). */
  captions: "on" | "off";
  /** Whether this deployment can caption at all (speech-to-text, Calls, endpoint): set by the object from env. */
  captionsAvailable: boolean;
  /** The host's recording switch (persisted); off by default. */
  recording: boolean;
  /** Shards holding listener sockets, by name: what each last reported, under a lease (persisted). */
  shards: Map<string, ShardEntry>;
};

/** What the room knows of one shard: its count of distinct listeners, a few of them for the audience grid, and when
 *  its lease runs out (a shard that stops reporting stops being counted then). A relay's entry also lists the leaf
 *  shards under it (every one it ever held while it lives: the room looks for listeners there). */
export type ShardEntry = { count: number; sample: ListenerEntry[]; leaseMs: number; expiresAt: number; reportedAt: number; leaves?: string[] };

export type Effect =
  | { kind: "reply"; message: ServerMessage }
  | { kind: "send"; userId: string; message: ServerMessage }
  | { kind: "broadcast"; message: ServerMessage }
  | { kind: "managers"; message: ServerMessage }
  /** `via`: the shard that held the person's socket, if one did. */
  | { kind: "remove"; userId: string; blocked: boolean; via: string | null }
  | { kind: "react"; sender: ReactionSender }
  /** Reactions a shard coalesced from its listeners: counted into the room's next frame like the room's own. */
  | { kind: "react_batch"; counts: Partial<Record<ReactionEmoji, number>>; recent: ReactionSender[] }
  /** The listener count changed (someone came or went): fan it out (with the sample) soon, and write it to D1. */
  | { kind: "count" }
  /** The listener sample changed but not the count (someone crossed the stage): the fan-out sends it soon. */
  | { kind: "listeners" }
  | { kind: "persist"; userIds: string[]; meta: boolean; shards?: true }
  | { kind: "schedule" }
  | { kind: "speak_policy"; policy: SpeakPolicy }
  | { kind: "ended"; reason: EndReason }
  /** Someone lost the right to a published track (off the stage, removed, replaced, Space ended): close it at the SFU. */
  | { kind: "close_track"; userId: string; track: TrackRef }
  /** Captions are on and this person on stage publishes: the media object should hear the track. */
  | { kind: "open_adapter"; userId: string; handle: string; track: TrackRef }
  /** The track stopped, or its owner left the stage, or captions went off: the media object stops hearing it. */
  | { kind: "close_adapter"; userId: string }
  /** The host turned recording on or off: the media object starts or stops its recorder. */
  | { kind: "recording"; on: boolean }
  /** A leaf shard goes under a relay: the relay adopts it (frames reach it at once); `reparent` tells an existing leaf
   *  to report to the relay from now on (a new one learns it from its first socket's address). */
  | { kind: "adopt"; relay: string; leaf: string; leaseMs: number; reparent: boolean };

export const RECONNECT_GRACE_MS = 30_000;

/** The one connection id of a person reached through a shard, whatever number of sockets the shard holds for them. */
export const shardConnection = (shard: string) => `@${shard}`;
export const HOST_ABSENCE_MS = 5 * 60_000;

export function newPerson(identity: Identity, role: Role): Person {
  return {
    ...identity,
    role,
    muted: false,
    mutedBy: null,
    handRaisedAt: null,
    invited: false,
    track: null,
    connections: new Set(),
    via: null,
    leftAt: null,
    reactWindowStart: 0,
    reactCount: 0,
    reactRejected: false,
    rateNotified: false,
  };
}

/** A fresh live room; the host is on stage but away until their first socket opens. */
export function createRoom(space: RoomSpace, host: Identity): RoomState {
  const hostPerson = newPerson(host, "host");
  hostPerson.leftAt = space.startedAt;
  return {
    space,
    phase: "live",
    endedAt: null,
    pin: null,
    people: new Map([[host.userId, hostPerson]]),
    stage: [host.userId],
    hands: [],
    away: new Set([host.userId]),
    blocked: new Set(),
    listenerCount: 0,
    peakListeners: 0,
    captions: "on",
    captionsAvailable: false,
    recording: false,
    shards: new Map(),
  };
}

export const isManager = (person: Person) => person.role === "host" || person.role === "cohost";
export const isOnStage = (person: Person) => person.role !== "listener";
/** Whether the room must remember this person when they are not connected. */
export const isNotable = (person: Person) => person.role !== "listener" || person.handRaisedAt !== null || person.invited;

export function countRole(state: RoomState, role: Role): number {
  let n = 0;
  for (const id of state.stage) if (state.people.get(id)?.role === role) n++;
  return n;
}

export function participantOf(person: Person): Participant {
  return {
    userId: person.userId,
    handle: person.handle,
    displayName: person.displayName,
    role: person.role as Participant["role"],
    muted: person.muted,
    mutedBy: person.mutedBy,
    connected: person.connections.size > 0,
    track: person.track,
    ...avatarOf(person),
    ...(captionsLost(person) ? { captionsLost: true as const } : {}),
  };
}

function captionsLost(person: Person): boolean {
  const lost = person.captionsLostTrack;
  return Boolean(lost && person.track && lost.sessionId === person.track.sessionId && lost.trackName === person.track.trackName);
}

export function youOf(person: Person): YouState {
  return {
    userId: person.userId,
    role: person.role,
    muted: person.muted,
    mutedBy: person.mutedBy,
    handRaised: person.handRaisedAt !== null,
    invited: person.invited,
  };
}

export const handEntryOf = (person: Person): HandEntry => ({
  userId: person.userId,
  handle: person.handle,
  displayName: person.displayName,
  raisedAt: person.handRaisedAt ?? 0,
  ...avatarOf(person),
});

/** Stage order by role: host first, listeners last. */
export const ROLE_RANK: Record<Role, number> = { host: 0, cohost: 1, speaker: 2, listener: 3 };

export function stageParticipants(state: RoomState): Participant[] {
  const people = state.stage.map((id) => state.people.get(id)).filter((p): p is Person => p !== undefined);
  return people.sort((a, b) => ROLE_RANK[a.role] - ROLE_RANK[b.role]).map(participantOf);
}

/** Published tracks of the people on the stage of a live room: the only tracks anyone may pull. */
export function stageTracks(state: RoomState): { userId: string; track: TrackRef }[] {
  if (state.phase !== "live") return [];
  const tracks: { userId: string; track: TrackRef }[] = [];
  for (const userId of state.stage) {
    const track = state.people.get(userId)?.track;
    if (track) tracks.push({ userId, track });
  }
  return tracks;
}

/** The first listeners still connected, by join order (the people map keeps insertion order), then the ones shards
 *  reported, so a host can still reach listeners whose sockets a shard holds. */
export function listenerSample(state: RoomState): ListenerEntry[] {
  const sample: ListenerEntry[] = [];
  const seen = new Set<string>();
  const add = (entry: ListenerEntry) => {
    if (sample.length >= LISTENER_SAMPLE_SIZE || seen.has(entry.userId)) return;
    const person = state.people.get(entry.userId);
    if (person && person.role !== "listener") return;
    seen.add(entry.userId);
    sample.push({ userId: entry.userId, handle: entry.handle, displayName: entry.displayName, ...avatarOf(entry) });
  };
  for (const person of state.people.values()) {
    if (sample.length >= LISTENER_SAMPLE_SIZE) return sample;
    if (person.role === "listener" && person.connections.size > 0) add(person);
  }
  for (const shard of state.shards.values()) for (const entry of shard.sample) add(entry);
  return sample;
}

export function snapshotFor(state: RoomState, person: Person): SnapshotMessage {
  return {
    type: "snapshot",
    space: { ...state.space },
    you: youOf(person),
    participants: stageParticipants(state),
    hands: isManager(person)
      ? state.hands.map((id) => state.people.get(id)).filter((p): p is Person => p !== undefined).map(handEntryOf)
      : [],
    pin: state.pin,
    listenerCount: state.listenerCount,
    listeners: listenerSample(state),
    captions: captionsStateOf(state),
    recording: state.recording,
  };
}

/** What the room tells clients about captions: the host's switch, unless this deployment cannot caption. */
export function captionsStateOf(state: RoomState): CaptionsState {
  return state.captionsAvailable ? state.captions : "unavailable";
}

/** Collects a transition's effects; persistence of touched people is folded into one effect at the end. */
export class Effects {
  readonly list: Effect[] = [];
  private touched = new Set<string>();
  private metaTouched = false;
  private shardsTouched = false;

  reply(message: ServerMessage) {
    this.list.push({ kind: "reply", message });
  }
  send(userId: string, message: ServerMessage) {
    this.list.push({ kind: "send", userId, message });
  }
  broadcast(message: UpdateMessage) {
    this.list.push({ kind: "broadcast", message });
  }
  managers(message: UpdateMessage) {
    this.list.push({ kind: "managers", message });
  }
  push(effect: Effect) {
    this.list.push(effect);
  }
  touch(userId: string) {
    this.touched.add(userId);
  }
  touchMeta() {
    this.metaTouched = true;
  }
  touchShards() {
    this.shardsTouched = true;
  }
  finish(): Effect[] {
    if (this.touched.size > 0 || this.metaTouched || this.shardsTouched) {
      const effect: Extract<Effect, { kind: "persist" }> = { kind: "persist", userIds: [...this.touched], meta: this.metaTouched };
      if (this.shardsTouched) effect.shards = true;
      this.list.push(effect);
    }
    return this.list;
  }
}
