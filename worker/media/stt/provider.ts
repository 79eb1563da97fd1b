// Which speech-to-text this deployment has: the local stand-in when STT_WS_URL is a URL (dev, tests), none when it is
// "none" (local runs without pocketsphinx, where `AI` is wrangler's offline stub that throws), else Workers AI when the
// `AI` binding exists (production), else none; with none, captions are "unavailable here".
import { localSocketStt } from "./local-socket.ts";
import type { SttProvider } from "./types.ts";
import { workersAiStt, type WebSocketAi } from "./workers-ai.ts";

/** Env as this module reads it: the `AI` binding is `[ai] binding = "AI"` in wrangler.toml. */
type SttEnv = { STT_WS_URL?: string; AI?: unknown };

/** The STT_WS_URL value that says "no speech-to-text here", set by local runs that have no recogniser. */
export const NO_STT = "none";

export function sttProviderFor(env: SttEnv): SttProvider | null {
  if (env.STT_WS_URL === NO_STT) return null;
  if (env.STT_WS_URL) return localSocketStt(env.STT_WS_URL);
  const ai = env.AI as Partial<WebSocketAi> | undefined;
  if (ai && typeof ai.run === "function") return workersAiStt(ai as WebSocketAi);
  return null;
}
