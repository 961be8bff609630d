// The public codec entry: picking implementations, the WASM fallback, deframers.
import { expect } from 'chai';
import {
  CodecError,
  ErrorCode,
  FlareError,
  SystemType,
  createDeframer,
  createFrameCodec,
  loadCodecs,
  loadWasmCore,
  packFrames,
  systemFrame,
} from '../../src/codec/index.ts';
import type { FormatName } from '../../src/codec/index.ts';

describe('codec entry', () => {
  it('createFrameCodec picks WASM protobuf with a core, JavaScript without, and JSON for json', async () => {
    const core = await loadWasmCore();
    expect(createFrameCodec({ format: 'protobuf', wasm: core }).implementation).to.equal('wasm');
    expect(createFrameCodec({ format: 'protobuf', wasm: core })).to.equal(createFrameCodec({ format: 'protobuf', wasm: core }));
    expect(createFrameCodec({ format: 'protobuf' }).implementation).to.equal('js');
    expect(createFrameCodec({ format: 'protobuf', wasm: null }).implementation).to.equal('js');
    expect(createFrameCodec({ format: 'json', wasm: core }).implementation).to.equal('json');
    try {
      createFrameCodec({ format: 'xml' as FormatName });
      expect.fail('should refuse');
    } catch (e) {
      expect((e as CodecError).code).to.equal(ErrorCode.INVALID_ARGUMENT);
    }
  });

  it('loadCodecs uses the WASM core when it loads, and the JavaScript codec when asked not to', async () => {
    const withWasm = await loadCodecs();
    expect([withWasm.protobuf.implementation, withWasm.json.implementation, withWasm.wasm !== null]).to.deep.equal(['wasm', 'json', true]);
    const without = await loadCodecs({ preferWasm: false });
    expect([without.protobuf.implementation, without.wasm]).to.deep.equal(['js', null]);
  });

  it('loadCodecs falls back to JavaScript on WASM_UNAVAILABLE and rethrows anything else', async () => {
    const unavailable = () => Promise.reject(new FlareError(ErrorCode.WASM_UNAVAILABLE, 'CSP forbids it'));
    const codecs = await loadCodecs({ loadWasm: unavailable });
    expect([codecs.protobuf.implementation, codecs.wasm]).to.deep.equal(['js', null]);
    const frame = systemFrame(SystemType.PING, {}, { messageId: 'm', timestamp: 1 });
    expect(codecs.protobuf.decode(codecs.protobuf.encode(frame)).messageId).to.equal('m');
    const broken = () => Promise.reject(new FlareError(ErrorCode.INTERNAL, 'bug'));
    try {
      await loadCodecs({ loadWasm: broken });
      expect.fail('should rethrow');
    } catch (e) {
      expect((e as FlareError).code).to.equal(ErrorCode.INTERNAL);
    }
  });

  it('createDeframer gives a WASM or a JavaScript deframer that read the same stream', async () => {
    const core = await loadWasmCore();
    const stream = packFrames([new Uint8Array([1, 2]), new Uint8Array([3])], { end: true });
    for (const d of [createDeframer({ wasm: core, maxFrameBytes: 8 }), createDeframer({ maxFrameBytes: 8 })]) {
      const r = d.push(stream);
      expect(r.frames.map((f) => Array.from(f))).to.deep.equal([[1, 2], [3]]);
      expect([r.ended, r.error, d.ended]).to.deep.equal([true, null, true]);
    }
  });
});
