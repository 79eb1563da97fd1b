// Local speech-to-text stand-in: `ws://127.0.0.1:PORT/v1/listen?encoding=linear16&sample_rate=16000`
// speaks Deepgram's live streaming API (the shape Workers AI `@cf/deepgram/nova-3` uses) with
// Debian's pocketsphinx behind it, one recogniser process per stream. Loopback only.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { WebSocketServer } from "ws";
import { runDeepgramStream, SYSTEM_PYTHON } from "./deepgram-stream.ts";

export const STT_APT_LINE = "apt-get install -y pocketsphinx pocketsphinx-en-us python3-pocketsphinx flite sox";
const LISTEN_PATH = "/v1/listen";

export type SttOptions = {
  port?: number;
  log?: boolean;
  /** Stream events (opened, ready, closed with the audio bytes it heard), for tests and measurements. */
  onEvent?: (event: string, fields: Record<string, unknown>) => void;
};
export type RunningStt = { url: string; port: number; openStreams(): number; close(): Promise<void> };

/** True when Debian's python3-pocketsphinx and its en-us model are installed. */
export function pocketsphinxAvailable(): Promise<boolean> {
  if (!existsSync(SYSTEM_PYTHON)) return Promise.resolve(false);
  const probe = "import os, pocketsphinx; assert os.path.exists(os.path.join(pocketsphinx.get_model_path(), 'en-us.lm.bin'))";
  return new Promise((resolve) => execFile(SYSTEM_PYTHON, ["-c", probe], (error) => resolve(!error)));
}

export async function startSttStandIn(options: SttOptions = {}): Promise<RunningStt> {
  const log = (event: string, fields: Record<string, unknown>) => {
    if (options.log) console.log(JSON.stringify({ event, ...fields }));
    options.onEvent?.(event, { at: Date.now(), ...fields });
  };
  const server = createServer((_request, response) => {
    response.writeHead(426, { "content-type": "application/json" });
    response.end(JSON.stringify({ err_code: "UPGRADE_REQUIRED", err_msg: `Open a WebSocket to ${LISTEN_PATH}.` }));
  });
  const sockets = new WebSocketServer({ noServer: true });

  server.on("upgrade", (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(request.url ?? "/", "http://stt.local");
    const problem = url.pathname === LISTEN_PATH ? queryProblem(url.searchParams) : `unknown path ${url.pathname}; use ${LISTEN_PATH}`;
    if (problem) {
      // Deepgram refuses a bad stream request before the upgrade with a 400 and a JSON reason.
      const body = JSON.stringify({ err_code: "INVALID_QUERY_PARAMETER", err_msg: problem });
      socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      log("stt_stream_refused", { problem });
      return;
    }
    sockets.handleUpgrade(request, socket, head, (client) => {
      log("stt_stream_opened", {});
      runDeepgramStream(client, { interimResults: url.searchParams.get("interim_results") === "true", log });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}${LISTEN_PATH}`,
    port,
    openStreams: () => sockets.clients.size,
    async close() {
      for (const client of sockets.clients) client.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The stand-in hears only what the media object sends: 16 kHz mono linear16. */
function queryProblem(query: URLSearchParams): string | undefined {
  const encoding = query.get("encoding");
  if (encoding !== "linear16") return `encoding must be linear16 (got ${encoding ?? "none"})`;
  const sampleRate = query.get("sample_rate");
  if (sampleRate !== "16000") return `sample_rate must be 16000 (got ${sampleRate ?? "none"})`;
  const channels = query.get("channels");
  if (channels !== null && channels !== "1") return `channels must be 1 (got ${channels})`;
  const interim = query.get("interim_results");
  if (interim !== null && interim !== "true" && interim !== "false") return "interim_results must be true or false";
  return undefined;
}
