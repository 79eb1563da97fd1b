// Production speech-to-text: Workers AI `@cf/deepgram/nova-3` streaming through the `AI` binding (websocket mode), as
// Cloudflare's realtime-examples ai-tts-stt does over the REST URL (…/ai/run/@cf/deepgram/nova-3, Upgrade: websocket).
import { DeepgramSocket, STREAM_PARAMS } from "./deepgram-socket.ts";
import type { SttConnection, SttEvents, SttProvider } from "./types.ts";

export const NOVA_3 = "@cf/deepgram/nova-3";

/** The part of the Workers AI binding this uses: `run(model, params, { websocket: true })` answers a 101 Response. */
export type WebSocketAi = { run(model: string, inputs: Record<string, string>, options: { websocket: true }): Promise<Response> };

export function workersAiStt(ai: WebSocketAi, language = "en"): SttProvider {
  return {
    name: "workers-ai",
    async connect(events: SttEvents): Promise<SttConnection | null> {
      try {
        const response = await ai.run(NOVA_3, { ...STREAM_PARAMS, language }, { websocket: true });
        if (!response.webSocket) {
          console.log(JSON.stringify({ event: "stt_connect_failed", provider: "workers-ai", status: response.status }));
          return null;
        }
        return new DeepgramSocket(response.webSocket, events);
      } catch (error) {
        console.log(JSON.stringify({ event: "stt_connect_failed", provider: "workers-ai", error: String(error) }));
        return null;
      }
    },
  };
}
