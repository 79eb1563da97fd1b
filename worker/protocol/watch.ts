// Frames of the Space watch socket (GET /api/spaces/:id/watch): pages that show a Space learn it changed state.
import type { SpaceState } from "./api.ts";

/** The Space's state changed (or its details were edited); the page reloads its view of the Space. */
export type WatchMessage = { type: "changed"; state: SpaceState };
