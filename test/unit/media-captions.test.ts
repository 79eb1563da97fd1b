// Caption coalescing (latest interim per speaker wins, finals never dropped), WebVTT output, and the mapping of a
// recogniser's stream time back to the Space's clock across skipped gaps, and what the speech-to-text sink sends.
import { describe, expect, it, vi } from "vitest";
import { CaptionBatch } from "../../worker/media/caption-batch.ts";
import { mapToSpace, SttSink, type Caption } from "../../worker/media/stt-sink.ts";
import type { SttConnection, SttEvents, SttProvider } from "../../worker/media/stt/types.ts";
import { escapeVtt, transcriptToVtt, vttTime } from "../../worker/media/webvtt.ts";

const caption = (speakerId: string, text: string, final: boolean, startMs = 0): Caption => ({
  speakerId, handle: `h_${speakerId}`, text, final, startMs, endMs: startMs + 500,
});

describe("CaptionBatch", () => {
  it("keeps every final in order and only each speaker's latest interim", () => {
    const batch = new CaptionBatch();
    batch.add(caption("a", "hel", false));
    batch.add(caption("a", "hello th", false));
    batch.add(caption("b", "good", false));
    batch.add(caption("a", "hello there", true));
    batch.add(caption("a", "how", false));
    batch.add(caption("b", "good morning", true));
    batch.add(caption("c", "one", true));
    const { frames, finals } = batch.take();
    expect(frames.map((f) => `${f.speakerId}:${f.final ? "F" : "i"}:${f.text}`)).toEqual([
      "a:F:hello there",
      "b:F:good morning",
      "c:F:one",
      "a:i:how",
    ]);
    expect(finals.map((f) => f.text)).toEqual(["hello there", "good morning", "one"]);
    expect(frames[0]).toEqual({ type: "caption", speakerId: "a", handle: "h_a", text: "hello there", final: true, startMs: 0, endMs: 500 });
    expect(batch.isEmpty).toBe(true);
    expect(batch.take().frames).toEqual([]);
  });

  it("turns a burst of interims from one speaker into one frame per flush", () => {
    const batch = new CaptionBatch();
    for (let i = 0; i < 50; i++) batch.add(caption("a", `word ${i}`, false));
    expect(batch.take().frames.map((f) => f.text)).toEqual(["word 49"]);
  });
});

describe("WebVTT", () => {
  it("formats cue times and escapes text", () => {
    expect(vttTime(0)).toBe("00:00:00.000");
    expect(vttTime(3_723_045)).toBe("01:02:03.045");
    expect(escapeVtt("a < b & c --> d\nnext")).toBe("a &lt; b &amp; c --&gt; d next");
    expect(transcriptToVtt([])).toBe("WEBVTT\n\n");
    expect(transcriptToVtt([{ speakerId: "u", handle: "ana", text: "hi", startMs: 1_000, endMs: 1_000 }])).toBe(
      "WEBVTT\n\n1\n00:00:01.000 --> 00:00:01.001\n<v ana>hi\n",
    );
  });
});

describe("mapToSpace", () => {
  it("maps recogniser seconds to Space ms from the last anchor at or before them", () => {
    const anchors = [
      { audioMs: 0, spaceMs: 10_000 },
      { audioMs: 2_000, spaceMs: 20_000 },
    ];
    expect(mapToSpace(anchors, 0.5)).toBe(10_500);
    expect(mapToSpace(anchors, 2.25)).toBe(20_250);
    expect(mapToSpace([], 1.5)).toBe(1_500);
  });
});


/** A recogniser seam that records what the sink sends and lets the test answer with results. */
function recordingProvider() {
  const sent: { audio: number; control: string[] } = { audio: 0, control: [] };
  let events: SttEvents | null = null;
  const connection: SttConnection = {
    isOpen: true,
    sendAudio: (pcm) => (sent.audio += pcm.byteLength),
    keepAlive: () => sent.control.push("KeepAlive"),
    finalize: () => sent.control.push("Finalize"),
    close: () => sent.control.push("CloseStream"),
  };
  const provider: SttProvider = {
    name: "local",
    connect: async (e) => {
      events = e;
      return connection;
    },
  };
  return { provider, sent, answer: (r: Parameters<SttEvents["onResult"]>[0]) => events?.onResult(r) };
}

/** The recogniser's connection opened and took the audio written before it: the sink's first send. */
const firstAudioSent = (sent: { audio: number }) => vi.waitFor(() => expect(sent.audio).toBeGreaterThan(0));
const silence48kStereo = (ms: number) => new Uint8Array((ms / 1000) * 48_000 * 4);

describe("SttSink", () => {
  it("sends 16 kHz mono s16le (32,000 bytes per second of audio) and maps results across a skipped gap", async () => {
    const { provider, sent, answer } = recordingProvider();
    const captions: Caption[] = [];
    let now = 0;
    const sink = new SttSink(provider, { userId: "u1", handle: "ana" }, (c) => captions.push(c), () => now);
    sink.discontinuity();
    sink.write(silence48kStereo(1000), 5_000);
    await firstAudioSent(sent);
    sink.write(silence48kStereo(1000), 6_000);
    sink.discontinuity();
    sink.write(silence48kStereo(1000), 60_000);
    sink.close();
    expect(sent.audio).toBe(3 * 32_000);
    expect(sent.control).toEqual(["Finalize", "CloseStream"]);
    answer({ transcript: "before the gap", isFinal: true, speechFinal: true, startS: 0.5, durationS: 1 });
    answer({ transcript: "after it", isFinal: false, speechFinal: false, startS: 2.25, durationS: 0.5 });
    answer({ transcript: "", isFinal: true, speechFinal: true, startS: 3, durationS: 0 });
    expect(captions).toEqual([
      { speakerId: "u1", handle: "ana", text: "before the gap", final: true, startMs: 5_500, endMs: 6_500 },
      { speakerId: "u1", handle: "ana", text: "after it", final: false, startMs: 60_250, endMs: 60_750 },
    ]);
  });

  it("keeps an idle recogniser open with KeepAlive", async () => {
    const { provider, sent } = recordingProvider();
    let now = 0;
    const sink = new SttSink(provider, { userId: "u1", handle: "ana" }, () => {}, () => now);
    sink.write(silence48kStereo(200), 0);
    await firstAudioSent(sent);
    now = 1_000;
    sink.keepAliveIfIdle();
    expect(sent.control).toEqual([]);
    now = 5_000;
    sink.keepAliveIfIdle();
    expect(sent.control).toEqual(["KeepAlive"]);
  });
});
