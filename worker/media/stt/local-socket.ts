// Local speech-to-text: the pocketsphinx stand-in under dev/stt, reached at STT_WS_URL, speaks the same Deepgram
// live protocol as Workers AI nova-3, so everything after the socket is shared.
import { DeepgramSocket, STREAM_PARAMS } from "./deepgram-socket.ts";
import type { SttConnection, SttEvents, SttProvider } from "./types.ts";

export function localSocketStt(wsUrl: string): SttProvider {
  return {
    name: "local",
    async connect(events: SttEvents): Promise<SttConnection | null> {
      const url = new URL(wsUrl);
      for (const [key, value] of Object.entries(STREAM_PARAMS)) url.searchParams.set(key, value);
      // workerd's fetch opens WebSockets from http(s) URLs with an Upgrade header.
      url.protocol = url.protocol === "wss:" ? "https:" : "http:";
      try {
        const response = await fetch(url.toString(), { headers: { Upgrade: "websocket" } });
        if (!response.webSocket) {
          console.log(JSON.stringify({ event: "stt_connect_failed", provider: "local", status: response.status }));
          return null;
        }
        return new DeepgramSocket(response.webSocket, events);
      } catch (error) {
        console.log(JSON.stringify({ event: "stt_connect_failed", provider: "local", error: String(error) }));
        return null;
      }
    },
  };
}
