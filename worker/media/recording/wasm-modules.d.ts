// The LAME encoder's WebAssembly, imported as a compiled module (the package maps this name to its wasm/mp3.wasm).
declare module "wasm-media-encoders/wasm/mp3" {
  const module: WebAssembly.Module;
  export default module;
}
