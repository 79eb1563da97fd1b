// libopus's encoder in WebAssembly: the standalone build shipped by @evan/opus (wasm/opus.wasm: malloc, free,
// opus_encoder_init, opus_encode and non-variadic ctl wrappers; its only imports are WASI stubs). Workers cannot
// compile WebAssembly from bytes, so the compiled module is handed in: workerd imports it (opus-module.ts), Node
// compiles the file (bench, unit tests). One instance per module serves every encoder of the isolate.

type OpusExports = {
  memory: WebAssembly.Memory;
  _initialize?: () => void;
  malloc(size: number): number;
  free(pointer: number): void;
  opus_strerror(code: number): number;
  opus_encoder_get_size(channels: number): number;
  opus_encoder_init(state: number, rate: number, channels: number, application: number): number;
  opus_encode(state: number, pcm: number, frameSize: number, out: number, maxBytes: number): number;
  opus_encoder_ctl_set(state: number, request: number, value: number): number;
  opus_encoder_ctl_get(state: number, request: number): number;
};

/** libopus request and value numbers (opus_defines.h). */
const OPUS_APPLICATION_VOIP = 2048;
const OPUS_SET_BITRATE = 4002;
const OPUS_SET_COMPLEXITY = 4010;
const OPUS_SET_SIGNAL = 4024;
const OPUS_SIGNAL_VOICE = 3001;
const OPUS_GET_LOOKAHEAD = 4027;
/** Largest packet we accept back; libopus recommends 4000 bytes. */
const MAX_PACKET = 4_000;

const instances = new WeakMap<WebAssembly.Module, Promise<OpusExports>>();

function exportsOf(module: WebAssembly.Module): Promise<OpusExports> {
  let exports = instances.get(module);
  if (!exports) {
    const wasi = { fd_seek: () => 0, fd_write: () => 0, fd_close: () => 0, proc_exit: () => {} };
    // Views are made per call from memory.buffer, so a grown memory needs no notice.
    const imports = { wasi_snapshot_preview1: wasi, env: { emscripten_notify_memory_growth: () => {} } };
    exports = WebAssembly.instantiate(module, imports).then((instance) => {
      const wasm = instance.exports as unknown as OpusExports;
      wasm._initialize?.();
      return wasm;
    });
    instances.set(module, exports);
  }
  return exports;
}

export type EncoderOptions = { sampleRate: 8_000 | 12_000 | 16_000 | 24_000 | 48_000; bitrate: number; complexity?: number };

/** A mono voice encoder: fixed-size frames of s16 samples in, one Opus packet per frame out. */
export class OpusEncoder {
  private readonly wasm: OpusExports;
  private state: number;
  private readonly pcm: number;
  private readonly out: number;
  readonly frameSize: number;
  readonly sampleRate: number;

  static async create(module: WebAssembly.Module, options: EncoderOptions, frameMs = 20): Promise<OpusEncoder> {
    return new OpusEncoder(await exportsOf(module), options, frameMs);
  }

  private constructor(wasm: OpusExports, options: EncoderOptions, frameMs: number) {
    this.wasm = wasm;
    this.sampleRate = options.sampleRate;
    this.frameSize = (options.sampleRate / 1000) * frameMs;
    this.state = this.wasm.malloc(this.wasm.opus_encoder_get_size(1));
    this.pcm = this.wasm.malloc(this.frameSize * 2);
    this.out = this.wasm.malloc(MAX_PACKET);
    try {
      this.check(this.wasm.opus_encoder_init(this.state, options.sampleRate, 1, OPUS_APPLICATION_VOIP));
      this.check(this.wasm.opus_encoder_ctl_set(this.state, OPUS_SET_BITRATE, options.bitrate));
      this.check(this.wasm.opus_encoder_ctl_set(this.state, OPUS_SET_SIGNAL, OPUS_SIGNAL_VOICE));
      if (options.complexity !== undefined) this.check(this.wasm.opus_encoder_ctl_set(this.state, OPUS_SET_COMPLEXITY, options.complexity));
    } catch (error) {
      this.free();
      throw error;
    }
  }

  /** Encoder delay in 48 kHz samples: the Ogg pre-skip of a stream it starts. */
  get preSkip(): number {
    return (this.wasm.opus_encoder_ctl_get(this.state, OPUS_GET_LOOKAHEAD) * 48_000) / this.sampleRate;
  }

  /** One frame (exactly frameSize samples) to one packet. */
  encode(frame: Int16Array): Uint8Array {
    if (frame.length !== this.frameSize) throw new RangeError(`an Opus frame here is ${this.frameSize} samples, not ${frame.length}`);
    if (this.state === 0) throw new Error("opus: the encoder was freed");
    new Int16Array(this.wasm.memory.buffer, this.pcm, this.frameSize).set(frame);
    const length = this.check(this.wasm.opus_encode(this.state, this.pcm, this.frameSize, this.out, MAX_PACKET));
    return new Uint8Array(this.wasm.memory.buffer, this.out, length).slice();
  }

  free(): void {
    if (this.state === 0) return;
    this.wasm.free(this.state);
    this.wasm.free(this.pcm);
    this.wasm.free(this.out);
    this.state = 0;
  }

  private check(code: number): number {
    if (code >= 0) return code;
    const message = new Uint8Array(this.wasm.memory.buffer, this.wasm.opus_strerror(code));
    const end = message.indexOf(0);
    throw new Error(`opus: ${new TextDecoder().decode(message.subarray(0, end < 0 ? 64 : end))}`);
  }
}
