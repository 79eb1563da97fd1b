// Deepgram live streaming over a workerd WebSocket, shared by both speech-to-text implementations: text control
// messages (KeepAlive, Finalize, CloseStream), binary audio out, `Results` messages in.
import type { SttConnection, SttEvents, SttResult } from "./types.ts";

/** Query parameters of the stream: linear16 16 kHz mono, interim results for live captions, punctuation. */
export const STREAM_PARAMS: Record<string, string> = {
  encoding: "linear16",
  sample_rate: "16000",
  channels: "1",
  interim_results: "true",
  punctuate: "true",
  smart_format: "true",
  // Ends an utterance after 300 ms of silence, so finals follow a pause quickly.
  endpointing: "300",
};

/** A `Results` message as a caption needs it, or null for anything else (Metadata, SpeechStarted, UtteranceEnd, junk). */
export function parseDeepgramMessage(data: unknown): SttResult | null {
  if (typeof data !== "string") return null;
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof message !== "object" || message === null) return null;
  const record = message as Record<string, unknown>;
  if (record.type !== "Results") return null;
  const channel = record.channel as { alternatives?: { transcript?: unknown }[] } | undefined;
  const transcript = channel?.alternatives?.[0]?.transcript;
  if (typeof transcript !== "string") return null;
  const startS = typeof record.start === "number" && Number.isFinite(record.start) ? record.start : 0;
  const durationS = typeof record.duration === "number" && Number.isFinite(record.duration) ? record.duration : 0;
  return { transcript: transcript.trim(), isFinal: record.is_final === true, speechFinal: record.speech_final === true, startS, durationS };
}

export class DeepgramSocket implements SttConnection {
  private closed = false;

  private readonly socket: WebSocket;

  constructor(socket: WebSocket, events: SttEvents) {
    this.socket = socket;
    socket.accept();
    socket.addEventListener("message", (event) => {
      const result = parseDeepgramMessage(event.data);
      if (result) events.onResult(result);
    });
    socket.addEventListener("close", (event) => {
      this.closed = true;
      events.onClose(`closed ${event.code}`);
    });
    socket.addEventListener("error", () => {
      this.closed = true;
      events.onClose("error");
    });
  }

  get isOpen(): boolean {
    return !this.closed && this.socket.readyState === WebSocket.OPEN;
  }

  sendAudio(pcm: Uint8Array): void {
    if (this.isOpen && pcm.byteLength > 0) this.trySend(pcm);
  }

  keepAlive(): void {
    if (this.isOpen) this.trySend(JSON.stringify({ type: "KeepAlive" }));
  }

  finalize(): void {
    if (this.isOpen) this.trySend(JSON.stringify({ type: "Finalize" }));
  }

  close(): void {
    if (!this.isOpen) return;
    // CloseStream lets the recogniser send its last results before it closes the socket itself.
    this.trySend(JSON.stringify({ type: "CloseStream" }));
    this.closed = true;
  }

  private trySend(data: string | Uint8Array): void {
    try {
      this.socket.send(data);
    } catch {
      this.closed = true;
    }
  }
}
