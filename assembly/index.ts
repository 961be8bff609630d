// Flare Web's WASM codec core: one module, every subsystem re-exported here.
// Calling convention (see docs/CODEC.md): exports take and return primitives,
// buffers live in WASM memory, a negative return is an error code, and untrusted
// input never reaches `throw` (an abort in AssemblyScript).

export { alloc, dealloc } from "./memory";
export * from "./frame/index";
export * from "./compress/gzip-exports";
export * from "./compress/lz4-api";
export * from "./scoring/index";
