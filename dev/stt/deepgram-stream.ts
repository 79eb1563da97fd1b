// One live transcription stream of the local speech-to-text stand-in: a WebSocket speaking Deepgram's
// live API (as Workers AI `@cf/deepgram/nova-3` does) in front of one pocketsphinx recogniser process.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { WebSocket } from "ws";

export const SYSTEM_PYTHON = "/usr/bin/python3";
const RECOGNIZER = join(import.meta.dirname, "recognizer.py");
/** Deepgram closes a stream that gets neither audio nor KeepAlive for 10 s (NET-0001). */
const IDLE_CLOSE_MS = 10_000;
const MODEL = { name: "pocketsphinx-en-us", version: "0.8+5prealpha", arch: "local-stand-in" };
const MODEL_UUID = "00000000-0000-4000-8000-000000000016";

type Word = { word: string; start: number; end: number; confidence: number };
type RecognizerLine =
  | { type: "ready" }
  | { type: "partial"; text: string; start: number; end: number }
  | { type: "final"; reason: "endpoint" | "max_length" | "finalize" | "close"; text: string; words: Word[]; start: number; end: number }
  | { type: "closed"; duration: number };

export type StreamOptions = { interimResults: boolean; log: (event: string, fields: Record<string, unknown>) => void };

export function runDeepgramStream(socket: WebSocket, options: StreamOptions): void {
  const requestId = crypto.randomUUID();
  const created = new Date().toISOString();
  const recognizer: ChildProcessWithoutNullStreams = spawn(SYSTEM_PYTHON, [RECOGNIZER], { stdio: ["pipe", "pipe", "pipe"] });
  let closing = false;
  let stderr = "";
  let audioBytes = 0;
  let idleTimer = setTimeout(idleClose, IDLE_CLOSE_MS);

  const send = (message: unknown) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const toRecognizer = (kind: "A" | "F" | "C", payload: Uint8Array = new Uint8Array(0)) => {
    if (!recognizer.stdin.writable) return;
    const header = Buffer.alloc(5);
    header.write(kind, 0, "ascii");
    header.writeUInt32BE(payload.length, 1);
    recognizer.stdin.write(Buffer.concat([header, payload]));
  };
  function touch(): void {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(idleClose, IDLE_CLOSE_MS);
  }
  function idleClose(): void {
    send({ type: "Error", description: "No audio or KeepAlive received for 10 seconds.", message: "NET-0001", variant: "timeout" });
    closeStream();
  }
  function closeStream(): void {
    if (closing) return;
    closing = true;
    clearTimeout(idleTimer);
    toRecognizer("C");
    recognizer.stdin.end();
  }

  createInterface({ input: recognizer.stdout }).on("line", (line) => {
    let message: RecognizerLine;
    try {
      message = JSON.parse(line) as RecognizerLine;
    } catch {
      return;
    }
    if (message.type === "partial" && options.interimResults) send(results(message.text, spreadWords(message), message, false, false));
    if (message.type === "final") {
      const fromFinalize = message.reason === "finalize";
      send({ ...results(message.text, message.words, message, true, !fromFinalize), ...(fromFinalize ? { from_finalize: true } : {}) });
    }
    if (message.type === "closed") {
      options.log("stt_stream_closed", { requestId, audioBytes, audioSeconds: message.duration });
      send({
        type: "Metadata", transaction_key: "deprecated", request_id: requestId, sha256: "", created,
        duration: message.duration, channels: 1, models: [MODEL_UUID], model_info: { [MODEL_UUID]: MODEL },
      });
      socket.close(1000);
    }
    if (message.type === "ready") options.log("stt_stream_ready", { requestId });
  });
  // The recogniser may exit while audio is still being written (client gone, crash): that is not our crash.
  recognizer.stdin.on("error", (error) => options.log("stt_recognizer_input_closed", { requestId, error: String(error) }));
  recognizer.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)));
  recognizer.on("error", (error) => options.log("stt_recognizer_failed", { requestId, error: String(error) }));
  // Writing to a recogniser that has already exited fails with EPIPE; its exit is reported above, so this only logs
  // (an unhandled stream error would take the whole local stack down).
  recognizer.stdin.on("error", (error) => options.log("stt_recognizer_input_closed", { requestId, error: String(error) }));
  recognizer.on("exit", (code) => {
    clearTimeout(idleTimer);
    if (code !== 0 && socket.readyState === socket.OPEN) {
      options.log("stt_recognizer_exited", { requestId, code, stderr });
      send({ type: "Error", description: "The local recogniser stopped unexpectedly.", message: "INTERNAL", variant: "recognizer" });
      socket.close(1011, "recogniser stopped");
    }
  });

  socket.on("message", (data: Buffer, isBinary: boolean) => {
    if (closing) return;
    if (isBinary) {
      touch();
      // Deepgram's legacy close signal: a zero-length binary message ends the stream.
      if (data.length === 0) closeStream();
      else {
        audioBytes += data.length;
        toRecognizer("A", data);
      }
      return;
    }
    const type = controlType(data.toString("utf8"));
    if (type === "KeepAlive") touch();
    else if (type === "Finalize") toRecognizer("F");
    else if (type === "CloseStream") closeStream();
    else send({ type: "Error", description: `Unknown control message; expected KeepAlive, Finalize or CloseStream.`, message: "DATA-0000", variant: "invalid_message" });
  });
  socket.on("close", () => {
    clearTimeout(idleTimer);
    if (!closing) closeStream();
    // A client that hangs up does not wait for the flush: stop the recogniser soon after.
    setTimeout(() => recognizer.kill(), 2_000).unref();
  });

  function results(transcript: string, words: Word[], span: { start: number; end: number }, isFinal: boolean, speechFinal: boolean) {
    const confidence = words.length === 0 ? 0 : words.reduce((sum, word) => sum + word.confidence, 0) / words.length;
    return {
      type: "Results",
      channel_index: [0, 1],
      duration: round(span.end - span.start),
      start: round(span.start),
      is_final: isFinal,
      speech_final: speechFinal,
      channel: { alternatives: [{ transcript, confidence: round(confidence), words: words.map((word) => ({ ...word, punctuated_word: word.word })) }] },
      metadata: { request_id: requestId, model_info: MODEL, model_uuid: MODEL_UUID },
    };
  }
}

function controlType(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === "object" && parsed !== null && typeof (parsed as { type?: unknown }).type === "string"
      ? (parsed as { type: string }).type
      : undefined;
  } catch {
    return undefined;
  }
}

/** Interim hypotheses have no word alignment yet: spread the words evenly over the span so far. */
function spreadWords(partial: { text: string; start: number; end: number }): Word[] {
  const words = partial.text.split(" ").filter(Boolean);
  const step = (partial.end - partial.start) / Math.max(1, words.length);
  return words.map((word, index) => ({ word, start: round(partial.start + index * step), end: round(partial.start + (index + 1) * step), confidence: 0.5 }));
}

const round = (value: number) => Math.round(value * 1000) / 1000;
