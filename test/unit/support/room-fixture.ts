// A room in a known shape for state-machine tests, built only through transition() as the DO would drive it.
import type { ClientMessage, ServerMessage } from "../../../worker/protocol/room.ts";
import { createRoom, isNotable, type Effect, type Identity, type RoomState } from "../../../worker/space/room-model.ts";
import { transition, type RoomEvent } from "../../../worker/space/room-state.ts";

export const T0 = 1_000_000;

export const identity = (userId: string, hostFollows = false): Identity => ({
  userId,
  handle: `h_${userId}`,
  displayName: `Name ${userId}`,
  hostFollows,
});

export class RoomFixture {
  readonly state: RoomState;
  now = T0;
  private cid = 0;

  constructor(speakPolicy: "everyone" | "followed" | "invited" = "everyone") {
    this.state = createRoom({ id: "space1", title: "Test", hostId: "H", startedAt: T0, speakPolicy }, identity("H", true));
  }

  run(event: RoomEvent): Effect[] {
    return transition(this.state, event, this.now).effects;
  }

  /** Opens a socket for userId; returns its connection id. */
  connect(userId: string, hostFollows = false): string {
    const connectionId = `c${++this.cid}`;
    this.run({ kind: "connect", identity: identity(userId, hostFollows), connectionId });
    return connectionId;
  }

  /**
   * What a hibernation leaves of the room, as RoomStorage reloads it: the people worth remembering without their
   * sockets or reaction window, nobody counted. Returns the sockets that were open, for a `restore` event.
   */
  hibernate(): { identity: Identity; connectionId: string }[] {
    const sockets = [...this.state.people.values()].flatMap((p) =>
      [...p.connections].map((connectionId) => ({ identity: identity(p.userId, p.hostFollows), connectionId })),
    );
    for (const [userId, person] of this.state.people) {
      if (!isNotable(person)) {
        this.state.people.delete(userId);
        this.state.away.delete(userId);
        continue;
      }
      person.connections = new Set();
      Object.assign(person, { reactWindowStart: 0, reactCount: 0, reactRejected: false, rateNotified: false });
    }
    this.state.listenerCount = 0;
    return sockets;
  }

  frame(userId: string, message: ClientMessage): Effect[] {
    return this.run({ kind: "frame", userId, message });
  }

  /** The error codes replied to the sender. */
  errors(effects: Effect[]): string[] {
    return effects.flatMap((e) => (e.kind === "reply" && e.message.type === "error" ? [e.message.code] : []));
  }

  /** Messages sent to everyone. */
  broadcasts(effects: Effect[]): ServerMessage[] {
    return effects.flatMap((e) => (e.kind === "broadcast" ? [e.message] : []));
  }

  person(userId: string) {
    const person = this.state.people.get(userId);
    if (!person) throw new Error(`${userId} is not in the room`);
    return person;
  }
}

/**
 * The standard room: host H, co-host C, speaker S, listener L, plain listener X, listener R with a raised hand,
 * listener I with an open invitation. Everyone is connected.
 */
export function standardRoom(): RoomFixture {
  const room = new RoomFixture();
  for (const id of ["H", "C", "S", "L", "X", "R", "I"]) room.connect(id, id === "R");
  room.frame("H", { type: "set_role", userId: "C", role: "cohost" });
  room.frame("H", { type: "set_role", userId: "S", role: "speaker" });
  room.frame("S", { type: "unmute" });
  room.frame("C", { type: "unmute" });
  room.frame("R", { type: "raise_hand" });
  room.frame("H", { type: "invite", userId: "I" });
  return room;
}

/** A comparable picture of the whole state (Maps and Sets as sorted arrays). */
export function dump(state: RoomState): unknown {
  return JSON.parse(
    JSON.stringify(state, (_key, value) => {
      if (value instanceof Map) return [...value.entries()].sort();
      if (value instanceof Set) return [...value].sort();
      return value;
    }),
  );
}
