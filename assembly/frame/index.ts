// The frame codec: protobuf Frame decode / encode in batches, and the
// length-prefixed stream framing. Everything exported here is re-exported by
// assembly/index.ts.
export { frame_decode_batch } from "./decode";
export { frame_encode_batch, frame_encode_failed } from "./encode";
export { stream_scan, stream_pack, stream_pack_failed } from "./stream";
