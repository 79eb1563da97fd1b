// Node side of the captions worker tests (started by global-setup): the address the SFU stand-in's adapters dial,
// recording every connection (path, token, open or closed, bytes), and a flite speech clip as adapter PCM.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocketServer } from "ws";

export const SPEECH_TEXT = "welcome to the space everyone. today we talk about the weather and the music";

export type AdapterConnection = { id: number; path: string; token: string; open: boolean; bytes: number };
export type RunningEndpoint = { origin: string; httpUrl: string; close(): Promise<void> };

/** 48 kHz stereo s16le of SPEECH_TEXT spoken by flite's slt voice (what the SFU's adapter would send), or null. */
function speechPcm(): Buffer | null {
  const dir = mkdtempSync(join(tmpdir(), "captions-speech-"));
  try {
    execFileSync("flite", ["-voice", "slt", "-t", SPEECH_TEXT, "-o", join(dir, "x.wav")]);
    execFileSync("sox", [join(dir, "x.wav"), "-r", "48000", "-c", "2", "-b", "16", "-e", "signed-integer", "-L", "-t", "raw", join(dir, "x.raw")]);
    return readFileSync(join(dir, "x.raw"));
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startAdapterEndpoint(): Promise<RunningEndpoint> {
  const connections: AdapterConnection[] = [];
  const speech = speechPcm();
  const server = createServer((req, res) => {
    if (req.url === "/connections") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify(connections));
    }
    if (req.url === "/speech.pcm" && speech) {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      return res.end(speech);
    }
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server });
  wss.on("connection", (socket, req) => {
    const url = new URL(req.url ?? "/", "ws://local");
    const connection: AdapterConnection = { id: connections.length + 1, path: url.pathname, token: url.searchParams.get("token") ?? "", open: true, bytes: 0 };
    connections.push(connection);
    socket.on("message", (data: Buffer) => (connection.bytes += data.byteLength));
    socket.on("close", () => (connection.open = false));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    origin: `ws://127.0.0.1:${port}`,
    httpUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
