/**
 * Every FrameCodec implementation the shared suites run against: the JSON
 * codec, the JavaScript protobuf codec, and the WASM protobuf codec whenever
 * `createFrameCodec` hands one out for a loaded core.
 */
import type { FrameCodec } from '../../src/codec/codec.ts';
import { createFrameCodec, createJsonCodec, createJsProtobufCodec, loadWasmCore } from '../../src/codec/index.ts';

export interface CodecUnderTest {
  name: string;
  codec: FrameCodec;
}

/** The implementations available in this build. */
export async function codecsUnderTest(): Promise<CodecUnderTest[]> {
  const list: CodecUnderTest[] = [
    { name: 'json', codec: createJsonCodec() },
    { name: 'js-protobuf', codec: createJsProtobufCodec() },
  ];
  const core = await loadWasmCore();
  const wasm = createFrameCodec({ format: 'protobuf', wasm: core });
  if (wasm.implementation === 'wasm') list.push({ name: 'wasm-protobuf', codec: wasm });
  return list;
}

/** The protobuf implementations only. */
export function protobufCodecs(list: readonly CodecUnderTest[]): CodecUnderTest[] {
  return list.filter((c) => c.codec.format === 'protobuf');
}
