// The room's calls to its Space's media object (caption adapters, recording, the end): queued one after another in
// the order the room decided them, never awaited by the room, so a publish or a frame stays fast.
import { mediaFor, type SpaceMedia } from "../media/space-media.ts";

export class RoomMediaQueue {
  private readonly env: Env;
  private queue: Promise<void> = Promise.resolve();

  constructor(env: Env) {
    this.env = env;
  }

  /** Queues one call; a refusal or a failure is logged, and the next call still runs. */
  call(spaceId: string, step: string, call: (media: DurableObjectStub<SpaceMedia>) => Promise<unknown>): void {
    const media = mediaFor(this.env, spaceId);
    this.queue = this.queue
      .then(async () => {
        const result = (await call(media)) as { ok?: boolean; code?: string } | undefined;
        if (result && result.ok === false) console.log(JSON.stringify({ event: "room_media_refused", spaceId, step, code: result.code }));
      })
      .catch((error: unknown) => console.log(JSON.stringify({ event: "room_media_failed", spaceId, step, error: String(error) })));
  }
}
