// Which speech-to-text this deployment has: the local stand-in when STT_WS_URL is set (dev, tests), else Workers AI
// when the `AI` binding exists, else none, and captions are "unavailable here".
import { localSocketStt } from "./local-socket.ts";
import type { SttProvider } from "./types.ts";
import { workersAiStt, type WebSocketAi } from "./workers-ai.ts";

/** Env as this module reads it: the `AI` binding is optional (add `[ai] binding = "AI"` to wrangler.toml in production). */
type SttEnv = { STT_WS_URL?: string; AI?: unknown };

export function sttProviderFor(env: SttEnv): SttProvider | null {
  if (env.STT_WS_URL) return localSocketStt(env.STT_WS_URL);
  const ai = env.AI as Partial<WebSocketAi> | undefined;
  if (ai && typeof ai.run === "function") return workersAiStt(ai as WebSocketAi);
  return null;
}
