// Worker entry: HTTP via the Hono app, the every-minute cron, and the Durable Object classes (SpaceRoom, SpaceShard, SpaceWatch, SpaceMedia).
import { app } from "./app.ts";
import { runScheduled } from "./cron.ts";

export { SpaceRoom } from "./space/space-room.ts";
export { SpaceWatch } from "./space/space-watch.ts";
export { SpaceMedia } from "./media/space-media.ts";
export { SpaceShard } from "./space/space-shard.ts";

export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => ctx.waitUntil(runScheduled(env, controller.scheduledTime)),
} satisfies ExportedHandler<Env>;
