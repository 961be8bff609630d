// The frame codec: protobuf Frame decode / encode in batches, and the
// length-prefixed stream framing. Everything exported here is re-exported by
// assembly/index.ts.
export { frameDecodeBatch } from "./decode";
export { frameEncodeBatch, frameEncodeFailed } from "./encode";
export { streamScan, streamPack, streamPackFailed } from "./stream";
