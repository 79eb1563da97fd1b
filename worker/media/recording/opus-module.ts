// libopus compiled to WebAssembly, imported as a compiled module as workerd requires (wrangler's CompiledWasm rule
// for **/*.wasm); the Worker's recorder hands it to OpusStream.
import opusWasm from "@evan/opus/wasm/opus.wasm";

export const opusModule: WebAssembly.Module = opusWasm;
