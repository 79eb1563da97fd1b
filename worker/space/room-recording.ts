// Recording in the room's pure state machine: the host's switch. Everyone hears it (REC badge), the media object
// starts or stops its recorder, and the stage tracks gain or lose their adapter when nothing else needs them.
import { roomError } from "../protocol/room-parse.ts";
import { hearingStage, stageAdapters } from "./room-captions.ts";
import type { Effects, RoomState } from "./room-model.ts";

/** `set_recording {on}` by the host only (from the HTTP route); a repeat of the current state changes nothing. */
export function setRecording(state: RoomState, userId: string, on: boolean, out: Effects): void {
  if (state.phase === "ended") return out.reply(roomError("space_ended", "This Space has ended."));
  if (userId !== state.space.hostId) return out.reply(roomError("not_host", "Only the host can turn recording on or off."));
  if (state.recording === on) return;
  const wasHearing = hearingStage(state);
  state.recording = on;
  out.touchMeta();
  out.broadcast({ type: "update", recording: on });
  out.push({ kind: "recording", on });
  if (wasHearing !== hearingStage(state)) stageAdapters(state, on, out);
}
