// Carries out the effects of one room transition: frames to sockets and shards, the coalesced fan-out, SQLite and D1
// writes, the alarm, the SFU and the media object. The state machine decided everything; this only does the I/O.
import { CLOSE_REMOVED, type EndReason, type ServerMessage } from "../protocol/room.ts";
import { recordBlock } from "../db/blocks.ts";
import type { Db } from "../db/client.ts";
import { recordEnd, recordSpeakPolicy } from "../db/space-lifecycle.ts";
import { callsConfigured, callsFor } from "../audio/calls-for-env.ts";
import { forceCloseTracks, type OwnedTrack } from "../audio/track-closer.ts";
import { trySend } from "../sockets.ts";
import { isManager, type Effect, type RoomState } from "./room-model.ts";
import type { RoomClock } from "./room-clock.ts";
import type { RoomDelivery } from "./room-delivery.ts";
import type { RoomFanout } from "./room-fanout.ts";
import type { RoomMediaQueue } from "./room-media-queue.ts";
import type { RoomStorage } from "./room-storage.ts";
import type { ShardRelay } from "./shard-relay.ts";
import { tellWatchers } from "./watchers.ts";

/** The room object's parts that effects act on. */
export interface RoomParts {
  readonly env: Env;
  readonly db: Db;
  readonly store: RoomStorage;
  readonly fanout: RoomFanout;
  readonly delivery: RoomDelivery;
  readonly shards: ShardRelay;
  readonly clock: RoomClock;
  readonly media: RoomMediaQueue;
}

/** Applies one transition's effects in order; returns the replies it produced (also sent to `origin`, if any). */
export async function applyEffects(parts: RoomParts, room: RoomState, effects: Effect[], origin: WebSocket | null): Promise<ServerMessage[]> {
  const { delivery, fanout, store } = parts;
  const replies: ServerMessage[] = [];
  const writes: Promise<void>[] = [];
  const closeTracks: OwnedTrack[] = [];
  let alarmChanged = false;
  for (const effect of effects) {
    switch (effect.kind) {
      case "reply":
        replies.push(effect.message);
        if (origin) trySend(origin, JSON.stringify(effect.message));
        break;
      case "send":
        delivery.sendTo(room, effect.userId, JSON.stringify(effect.message));
        break;
      case "broadcast":
        delivery.broadcast(room, JSON.stringify(effect.message));
        break;
      case "managers": {
        const text = JSON.stringify(effect.message);
        for (const id of room.stage) {
          const person = room.people.get(id);
          if (person && isManager(person)) delivery.sendTo(room, id, text);
        }
        break;
      }
      case "remove":
        delivery.closeUser(effect.userId, { type: "removed", blocked: effect.blocked }, CLOSE_REMOVED, "removed");
        if (effect.via) {
          const text = JSON.stringify({ type: "removed", blocked: effect.blocked } satisfies ServerMessage);
          parts.shards.remove(effect.via, effect.userId, text, CLOSE_REMOVED);
        }
        if (effect.blocked) {
          store.saveBlocked(effect.userId);
          writes.push(recordBlock(parts.db, room.space.hostId, effect.userId));
        }
        break;
      case "react":
        fanout.addReaction(effect.sender);
        if (room.recording) store.addReaction(Math.floor((Date.now() - room.space.startedAt) / 1000), effect.sender.emoji);
        break;
      case "react_batch": {
        fanout.addBatch(effect.counts, effect.recent);
        const second = Math.floor((Date.now() - room.space.startedAt) / 1000);
        if (room.recording) for (const [emoji, n] of Object.entries(effect.counts)) store.addReaction(second, emoji, n);
        break;
      }
      case "count":
        fanout.countChanged();
        if (parts.clock.countChanged()) alarmChanged = true;
        break;
      case "listeners":
        fanout.countChanged();
        break;
      case "persist":
        if (effect.meta) store.saveMeta(room);
        if (effect.shards) store.saveShards(room);
        store.savePeople(room, effect.userIds);
        break;
      case "schedule":
        alarmChanged = true;
        break;
      case "speak_policy":
        writes.push(recordSpeakPolicy(parts.db, room.space.id, effect.policy));
        break;
      case "ended":
        writes.push(finish(parts, room, effect.reason));
        alarmChanged = true;
        break;
      case "close_track":
        closeTracks.push({ userId: effect.userId, track: effect.track });
        break;
      case "open_adapter": {
        const captions = room.captionsAvailable && room.captions === "on";
        const request = { spaceId: room.space.id, startedAt: room.space.startedAt, userId: effect.userId, handle: effect.handle, track: effect.track, captions };
        parts.media.call(room.space.id, "open_adapter", (media) => media.openAdapter(request));
        break;
      }
      case "close_adapter":
        parts.media.call(room.space.id, "close_adapter", (media) => media.closeAdapter(effect.userId));
        break;
      case "adopt":
        parts.shards.adopt(effect.relay, effect.leaf, effect.leaseMs, effect.reparent);
        break;
      case "recording": {
        const request = { spaceId: room.space.id, startedAt: room.space.startedAt, on: effect.on };
        parts.media.call(room.space.id, "recording", (media) => media.setRecording(request));
        break;
      }
      default: {
        const unreachable: never = effect;
        return unreachable;
      }
    }
  }
  // Whoever lost the stage is silenced at the SFU, not only in the UI.
  if (closeTracks.length > 0 && callsConfigured(parts.env)) {
    writes.push(forceCloseTracks(callsFor(parts.env), room.space.id, closeTracks));
  }
  if (alarmChanged) await parts.clock.syncAlarm(room);
  for (const result of await Promise.allSettled(writes)) {
    if (result.status === "rejected") {
      console.log(JSON.stringify({ event: "room_d1_write_failed", spaceId: room.space.id, error: String(result.reason) }));
    }
  }
  return replies;
}

/** The room ended: everyone hears it and is let go, the media object closes, D1 and the watchers learn of it. */
async function finish(parts: RoomParts, room: RoomState, reason: EndReason): Promise<void> {
  parts.fanout.stop();
  parts.clock.stopCounting();
  await parts.delivery.endAll(room, JSON.stringify({ type: "ended", reason } satisfies ServerMessage));
  console.log(JSON.stringify({ event: "space_ended", spaceId: room.space.id, reason, peakListeners: room.peakListeners }));
  parts.media.call(room.space.id, "close_all", (media) => media.closeAll(parts.store.reactionSeconds()));
  await recordEnd(parts.db, room.space.id, room.endedAt ?? Date.now(), room.peakListeners);
  await tellWatchers(parts.env, room.space.id, "ended");
}
