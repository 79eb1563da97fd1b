# One streaming pocketsphinx recogniser for the local speech-to-text stand-in (dev/stt/server.ts).
# Run with Debian's /usr/bin/python3 (python3-pocketsphinx). stdin: frames of 1 type byte
# (A = 16 kHz s16le mono audio, F = finalize, C = close) + 4-byte big-endian length + payload.
# stdout: one JSON object per line: ready, partial, final (with words), closed.
import json
import os
import struct
import sys

from pocketsphinx import Decoder, get_model_path

SAMPLE_RATE = 16000
BYTES_PER_SECOND = SAMPLE_RATE * 2
FRAMES_PER_SECOND = 100
# A partial hypothesis costs a search; one every half second of audio is plenty for captions.
PARTIAL_EVERY_BYTES = BYTES_PER_SECOND // 2
# Force a final on long unbroken speech so captions and the transcript don't wait for a pause.
MAX_UTTERANCE_BYTES = BYTES_PER_SECOND * 12


def emit(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def make_decoder():
    model = get_model_path()
    config = Decoder.default_config()
    config.set_string("-hmm", os.path.join(model, "en-us"))
    config.set_string("-lm", os.path.join(model, "en-us.lm.bin"))
    config.set_string("-dict", os.path.join(model, "cmudict-en-us.dict"))
    config.set_string("-logfn", "/dev/null")
    return Decoder(config)


def clean_word(word):
    """Drops fillers and markers (<s>, <sil>, [NOISE]) and alternate-pronunciation suffixes (the(2))."""
    if word.startswith("<") or word.startswith("[") or word.startswith("+"):
        return None
    return word.split("(")[0]


class Stream:
    def __init__(self, decoder):
        self.decoder = decoder
        self.logmath = decoder.get_logmath()
        self.bytes_total = 0
        self.utterance_start_bytes = 0
        self.utterance_bytes = 0
        self.since_partial = 0
        self.was_in_speech = False
        self.last_partial = ""
        decoder.start_utt()

    def audio(self, chunk):
        self.decoder.process_raw(chunk, False, False)
        self.bytes_total += len(chunk)
        self.utterance_bytes += len(chunk)
        self.since_partial += len(chunk)
        in_speech = self.decoder.get_in_speech()
        if self.was_in_speech and not in_speech:
            self.finish("endpoint")
        elif self.utterance_bytes >= MAX_UTTERANCE_BYTES and in_speech:
            self.finish("max_length")
        elif in_speech and self.since_partial >= PARTIAL_EVERY_BYTES:
            self.since_partial = 0
            hypothesis = self.decoder.hyp()
            text = " ".join(filter(None, (clean_word(w) for w in (hypothesis.hypstr.split() if hypothesis else []))))
            if text and text != self.last_partial:
                self.last_partial = text
                emit({"type": "partial", "text": text, "start": self.start_seconds(), "end": self.bytes_total / BYTES_PER_SECOND})
        self.was_in_speech = in_speech if self.utterance_bytes > 0 else False

    def finish(self, reason):
        """Ends the utterance, emits its final if it had words, and starts the next one."""
        self.decoder.end_utt()
        start = self.start_seconds()
        words = []
        for segment in self.decoder.seg():
            word = clean_word(segment.word)
            if word is None:
                continue
            words.append({
                "word": word,
                "start": round(start + segment.start_frame / FRAMES_PER_SECOND, 3),
                "end": round(start + (segment.end_frame + 1) / FRAMES_PER_SECOND, 3),
                "confidence": round(min(1.0, self.logmath.exp(segment.prob)), 4),
            })
        if words or reason == "finalize":
            emit({
                "type": "final",
                "reason": reason,
                "text": " ".join(word["word"] for word in words),
                "words": words,
                "start": start,
                "end": self.bytes_total / BYTES_PER_SECOND,
            })
        self.utterance_start_bytes = self.bytes_total
        self.utterance_bytes = 0
        self.since_partial = 0
        self.last_partial = ""
        self.was_in_speech = False
        self.decoder.start_utt()

    def start_seconds(self):
        return self.utterance_start_bytes / BYTES_PER_SECOND


def read_exactly(stream, size):
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def main():
    stream = Stream(make_decoder())
    emit({"type": "ready"})
    stdin = sys.stdin.buffer
    while True:
        header = read_exactly(stdin, 5)
        if header is None:
            break
        kind, length = header[:1], struct.unpack(">I", header[1:])[0]
        payload = read_exactly(stdin, length) if length else b""
        if payload is None:
            break
        if kind == b"A":
            # process_raw wants whole 16-bit samples.
            stream.audio(payload[: len(payload) - len(payload) % 2])
        elif kind == b"F":
            stream.finish("finalize")
        elif kind == b"C":
            break
    stream.finish("close")
    emit({"type": "closed", "duration": stream.bytes_total / BYTES_PER_SECOND})


if __name__ == "__main__":
    main()
