// The local speech-to-text stand-in with real pocketsphinx: flite speech in, Deepgram-shaped interim
// and final Results out (words with times), Finalize and CloseStream, and refused bad requests.
// Needs Debian's pocketsphinx, pocketsphinx-en-us, python3-pocketsphinx, flite and sox (.ci/run installs them).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startSttStandIn, type RunningStt } from "../../dev/stt/server.ts";

const SENTENCE = "welcome to the space everyone. today we talk about the weather and the music";
const CONTENT_WORDS = ["welcome", "space", "everyone", "weather", "music"];
const CHUNK_BYTES = 3_200; // 100 ms of 16 kHz s16le mono
let stt: RunningStt;
let speech: Buffer;
let workDir: string;

type Results = {
  type: "Results";
  channel_index: number[];
  start: number;
  duration: number;
  is_final: boolean;
  speech_final: boolean;
  from_finalize?: boolean;
  channel: { alternatives: { transcript: string; confidence: number; words: { word: string; start: number; end: number; confidence: number }[] }[] };
};

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "stt-test-"));
  execFileSync("flite", ["-voice", "slt", "-t", SENTENCE, "-o", join(workDir, "speech.wav")]);
  execFileSync("sox", [join(workDir, "speech.wav"), "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", join(workDir, "speech.raw")]);
  speech = readFileSync(join(workDir, "speech.raw"));
  stt = await startSttStandIn();
});

afterAll(async () => {
  await stt.close();
  rmSync(workDir, { recursive: true, force: true });
});

/** Opens a stream and collects every JSON message until the server closes it. */
async function openStream(query = "encoding=linear16&sample_rate=16000&channels=1&interim_results=true") {
  const socket = new WebSocket(`${stt.url}?${query}`);
  const messages: Record<string, unknown>[] = [];
  const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
  socket.on("message", (data) => messages.push(JSON.parse(data.toString())));
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return { socket, messages, closed };
}

function sendAudio(socket: WebSocket, audio: Buffer): void {
  for (let offset = 0; offset < audio.length; offset += CHUNK_BYTES) socket.send(audio.subarray(offset, offset + CHUNK_BYTES));
}

const results = (messages: Record<string, unknown>[]) => messages.filter((message) => message.type === "Results") as Results[];
const heard = (texts: string[]) => CONTENT_WORDS.filter((word) => texts.join(" ").split(/\s+/).includes(word));

describe("speech-to-text stand-in", () => {
  it("transcribes flite speech into interim and final Results with timed words, then closes on CloseStream", async () => {
    const { socket, messages, closed } = await openStream();
    sendAudio(socket, speech);
    sendAudio(socket, Buffer.alloc(32_000)); // a second of silence ends the utterance
    socket.send(JSON.stringify({ type: "CloseStream" }));
    expect(await closed).toBe(1000);

    const all = results(messages);
    const finals = all.filter((message) => message.is_final);
    const interims = all.filter((message) => !message.is_final);
    expect(heard(finals.map((message) => message.channel.alternatives[0]!.transcript)).length).toBeGreaterThanOrEqual(3);
    expect(interims.length).toBeGreaterThan(0);
    expect(all.indexOf(interims[0]!)).toBeLessThan(all.indexOf(finals[0]!));
    expect(finals[0]).toMatchObject({ type: "Results", channel_index: [0, 1], is_final: true, speech_final: true });

    const words = finals.flatMap((message) => message.channel.alternatives[0]!.words);
    const audioSeconds = (speech.length + 32_000) / 32_000;
    for (const [index, word] of words.entries()) {
      expect(word.start).toBeLessThan(word.end);
      expect(word.end).toBeLessThanOrEqual(audioSeconds + 0.01);
      expect(word.confidence).toBeGreaterThanOrEqual(0);
      expect(word.confidence).toBeLessThanOrEqual(1);
      if (index > 0) expect(word.start).toBeGreaterThanOrEqual(words[index - 1]!.start);
    }
    expect(messages.at(-1)).toMatchObject({ type: "Metadata", channels: 1 });
    expect((messages.at(-1) as { duration: number }).duration).toBeCloseTo(audioSeconds, 1);
  }, 60_000);

  it("Finalize flushes speech that has not ended yet as a final from_finalize result", async () => {
    const { socket, messages, closed } = await openStream("encoding=linear16&sample_rate=16000");
    sendAudio(socket, speech.subarray(0, Math.floor(speech.length / 4) * 2)); // the first half, still mid-speech
    socket.send(JSON.stringify({ type: "KeepAlive" }));
    socket.send(JSON.stringify({ type: "Finalize" }));
    socket.send(JSON.stringify({ type: "CloseStream" }));
    await closed;
    const all = results(messages);
    expect(all.every((message) => message.is_final)).toBe(true); // interim_results was not asked for
    const flushed = all.find((message) => message.from_finalize);
    expect(flushed).toMatchObject({ is_final: true, speech_final: false });
    expect(heard([flushed!.channel.alternatives[0]!.transcript]).length).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it("answers an unknown control message with an Error frame and keeps the stream open", async () => {
    const { socket, messages, closed } = await openStream();
    socket.send("not json");
    socket.send(JSON.stringify({ type: "Shout" }));
    socket.send(JSON.stringify({ type: "CloseStream" }));
    expect(await closed).toBe(1000);
    expect(messages.filter((message) => message.type === "Error")).toHaveLength(2);
    expect(messages.at(-1)).toMatchObject({ type: "Metadata" });
  }, 30_000);

  it("refuses streams it cannot hear with HTTP 400 and a reason", async () => {
    const queries = ["encoding=opus&sample_rate=16000", "encoding=linear16&sample_rate=48000", "encoding=linear16&sample_rate=16000&channels=2", ""];
    for (const query of queries) {
      const socket = new WebSocket(`${stt.url}?${query}`);
      const status = await new Promise<number>((resolve) => {
        socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
        socket.once("open", () => resolve(101));
        socket.once("error", () => undefined);
      });
      expect({ query, status }).toEqual({ query, status: 400 });
    }
    const wrongPath = new WebSocket(stt.url.replace("/v1/listen", "/v2/speak") + "?encoding=linear16&sample_rate=16000");
    wrongPath.on("error", () => undefined);
    const status = await new Promise<number>((resolve) => wrongPath.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0)));
    expect(status).toBe(400);
  });
});
