// Reaching a Space's SpaceWatch object from the Worker and the room: kept apart from the class so code that only tells
// watchers (payments, scheduling) imports no Durable Object runtime module and stays loadable in plain Node unit tests.
import type { SpaceState } from "../protocol/api.ts";
import type { SpaceWatch } from "./space-watch.ts";

export function watchFor(env: Env, spaceId: string): DurableObjectStub<SpaceWatch> {
  const namespace = env.SPACE_WATCH as DurableObjectNamespace<SpaceWatch>;
  return namespace.get(namespace.idFromName(spaceId));
}

/** Tells a Space's watchers it changed; a failure is logged, never thrown (the change itself already happened). */
export async function tellWatchers(env: Env, spaceId: string, state: SpaceState): Promise<void> {
  try {
    const reached = await watchFor(env, spaceId).changed(state);
    console.log(JSON.stringify({ event: "space_watchers_told", spaceId, state, reached }));
  } catch (error) {
    console.log(JSON.stringify({ event: "space_watchers_failed", spaceId, state, error: String(error) }));
  }
}
