// The WASM protobuf codec (assembly/frame/ + src/codec/wasm-frame-codec.ts):
// golden vectors, round trips of every variant, batches that outgrow the tape,
// values that must not alias WASM memory, agreement with protobufjs and with
// the JavaScript codec on valid and damaged input.
import { expect } from 'chai';
import fc from 'fast-check';
import { CodecError, ErrorCode, FlareError } from '../../src/codec/errors.ts';
import type { FrameCodec } from '../../src/codec/codec.ts';
import type { Frame, Metadata } from '../../src/codec/frame-types.ts';
import { createJsProtobufCodec } from '../../src/codec/js-protobuf-codec.ts';
import { textMeta } from '../../src/codec/metadata.ts';
import { loadWasmCore } from '../../src/codec/wasm-core.ts';
import { createWasmFrameCodec } from '../../src/codec/wasm-frame-codec.ts';
import { hexBytes, toHex } from '../fixtures/flare-core.ts';
import { fromProtobufjs, protobufjsFrameType, toProtobufjs } from '../helpers/protobufjs-frame.ts';
import { frameArb, normalize } from './frame-arbitraries.ts';

const core = await loadWasmCore();
const codec = createWasmFrameCodec(core);
const js = createJsProtobufCodec();
const FrameType = protobufjsFrameType();
const text = new TextDecoder();

async function fixtureHex(name: string): Promise<string> {
  const res = await fetch(new URL(`../fixtures/flare-core/${name}`, import.meta.url));
  return (await res.text()).trim();
}

function metaText(m: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m)) out[k] = text.decode(m[k]);
  return out;
}

function decodeOrError(bytes: Uint8Array, c: FrameCodec = codec): unknown {
  try {
    return normalize(c.decode(bytes));
  } catch (e) {
    if (!(e instanceof CodecError)) throw new Error(`decode threw a non-CodecError: ${String(e)}`);
    return { error: e.code };
  }
}

/** Every variant with every field set, non-ASCII text and binary included. */
function fullFrames(): Frame[] {
  const meta = () => textMeta({ a: 'x', 'ключ': 'значение', '': 'empty key', e: new Uint8Array(0) });
  const base = { messageId: '1795390506300-00000000000000ff', reliability: 3, timestamp: 2 ** 53 - 1 };
  return [
    { ...base, metadata: meta(), command: { case: 'system', value: {
      type: 11, format: 1, message: 'héllo ✓ 😀', metadata: meta(), data: Uint8Array.of(0, 1, 255),
      compression: 'gzip', encryption: 'aes256gcm' } } },
    { ...base, metadata: meta(), command: { case: 'payload', value: {
      type: 4, messageId: 'p-1', payload: new Uint8Array(70_000).map((_, i) => i), metadata: meta(), seq: 2 ** 40 + 3 } } },
    { ...base, metadata: meta(), command: { case: 'notification', value: {
      type: -5, title: 'alert', content: Uint8Array.of(9), metadata: meta() } } },
    { ...base, metadata: meta(), command: { case: 'custom', value: { name: 'rpc.call', data: Uint8Array.of(7, 7), metadata: meta() } } },
    { command: null, messageId: '', reliability: 0, timestamp: 0, metadata: Object.create(null) as Metadata },
  ];
}

describe('WASM frame codec: flare-core fixtures', () => {
  it('decodes ping.pb.hex to a PING with its message id, reliability and timestamp', async () => {
    const f = codec.decode(hexBytes(await fixtureHex('ping.pb.hex')));
    expect(f.command?.case).to.equal('system');
    expect(f.command!.value).to.include({ type: 4, format: 0, message: '', compression: '', encryption: '' });
    expect(f.messageId).to.equal('1795390506300-0000000000000002');
    expect(f.reliability).to.equal(1);
    expect(f.timestamp).to.equal(1795390506300);
    expect(Object.keys(f.metadata)).to.deep.equal([]);
  });

  it('decodes kicked.pb.hex to a KICKED with its message and metadata', async () => {
    const f = codec.decode(hexBytes(await fixtureHex('kicked.pb.hex')));
    expect(f.command?.case).to.equal('system');
    const sys = f.command!.value as { type: number; message: string; metadata: Metadata };
    expect(sys.type).to.equal(10);
    expect(sys.message).to.equal('kicked for test');
    expect(metaText(sys.metadata)).to.deep.equal({ reason: 'device_conflict', platform: 'Web', new_device_id: 'dev-2' });
    expect(Object.getPrototypeOf(sys.metadata)).to.equal(null);
    expect([f.messageId, f.reliability, f.timestamp]).to.deep.equal(['srv-kick', 1, 1795390595015]);
  });

  it("encodes the PING's fields to exactly ping.pb.hex, and KICKED's to kicked.pb.hex", async () => {
    const ping: Frame = {
      command: { case: 'system', value: { type: 4, format: 0, message: '', metadata: Object.create(null), data: new Uint8Array(0), compression: '', encryption: '' } },
      messageId: '1795390506300-0000000000000002', reliability: 1, timestamp: 1795390506300, metadata: Object.create(null),
    };
    expect(toHex(codec.encode(ping))).to.equal(await fixtureHex('ping.pb.hex'));
    const kicked: Frame = {
      command: { case: 'system', value: {
        type: 10, format: 0, message: 'kicked for test', data: new Uint8Array(0), compression: '', encryption: '',
        metadata: textMeta({ reason: 'device_conflict', platform: 'Web', new_device_id: 'dev-2' }) } },
      messageId: 'srv-kick', reliability: 1, timestamp: 1795390595015, metadata: Object.create(null),
    };
    expect(toHex(codec.encode(kicked))).to.equal(await fixtureHex('kicked.pb.hex'));
  });
});

describe('WASM frame codec: round trips', () => {
  it('round-trips every variant with every field set, one at a time and batched', () => {
    const frames = fullFrames();
    for (const f of frames) expect(normalize(codec.decode(codec.encode(f)))).to.deep.equal(normalize(f));
    const decoded = codec.decodeBatch(codec.encodeBatch(frames));
    expect(decoded.map((f) => normalize(f as Frame))).to.deep.equal(frames.map(normalize));
  });

  it('writes the same bytes as the JavaScript codec (prost layout), batched or not', () => {
    const frames = fullFrames();
    const batch = codec.encodeBatch(frames);
    frames.forEach((f, i) => {
      expect(toHex(codec.encode(f))).to.equal(toHex(js.encode(f)));
      expect(toHex(batch[i]!)).to.equal(toHex(js.encode(f)));
    });
  });

  it('round-trips random frames (fast-check), one by one and in batches', () => {
    fc.assert(fc.property(frameArb, (f) => {
      expect(normalize(codec.decode(codec.encode(f)))).to.deep.equal(normalize(f));
    }), { numRuns: 400 });
    fc.assert(fc.property(fc.array(frameArb, { maxLength: 40 }), (frames) => {
      const out = codec.decodeBatch(codec.encodeBatch(frames));
      expect(out.map((f) => normalize(f as Frame))).to.deep.equal(frames.map(normalize));
    }), { numRuns: 60 });
  });

  it('keeps uint64 exact to 2^53 and reads larger values as the nearest number', () => {
    for (const ts of [1, 127, 128, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 1795390506300, 2 ** 53 - 1]) {
      const f = codec.decode(codec.encode({ command: null, messageId: '', reliability: 0, timestamp: ts, metadata: Object.create(null) }));
      expect(f.timestamp).to.equal(ts);
    }
    expect(codec.decode(hexBytes('20ffffffffffffffffff01')).timestamp).to.equal(2 ** 64);
  });

  it('writes negative enums as 10-byte varints and reads them back', () => {
    const f: Frame = { command: null, messageId: '', reliability: -1, timestamp: 0, metadata: Object.create(null) };
    expect(toHex(codec.encode(f))).to.equal('18ffffffffffffffffff01');
    expect(codec.decode(codec.encode(f)).reliability).to.equal(-1);
  });
});

/** protobufjs cannot mirror `__proto__` keys, and always writes empty map keys / values. */
function forProtobufjs(frame: Frame): Frame {
  const clean = (m: Metadata): Metadata => {
    const out = Object.create(null) as Metadata;
    for (const k of Object.keys(m)) if (k !== '__proto__' && k !== '' && m[k]!.length > 0) out[k] = m[k]!;
    return out;
  };
  const out = { ...frame, metadata: clean(frame.metadata) };
  if (frame.command) out.command = { case: frame.command.case, value: { ...frame.command.value, metadata: clean(frame.command.value.metadata) } } as Frame['command'];
  return out;
}

describe('WASM frame codec: protobufjs cross-check', () => {
  it('protobufjs decodes our bytes to the same frame, and we decode its bytes to the same frame', () => {
    fc.assert(fc.property(frameArb, (raw) => {
      const frame = forProtobufjs(raw);
      const ours = codec.encode(frame);
      const theirs = FrameType.encode(toProtobufjs(frame)).finish();
      expect(normalize(fromProtobufjs(FrameType.decode(ours) as never))).to.deep.equal(normalize(frame));
      expect(normalize(codec.decode(theirs))).to.deep.equal(normalize(frame));
      expect(toHex(ours)).to.equal(toHex(theirs));
    }), { numRuns: 300 });
  });

  it('reads the map entries protobufjs writes with an empty key or value', () => {
    const frame: Frame = { command: null, messageId: 'm', reliability: 0, timestamp: 0, metadata: textMeta({ '': 'v', k: '' }) };
    const theirs = FrameType.encode(toProtobufjs(frame)).finish();
    expect(metaText(codec.decode(theirs).metadata)).to.deep.equal({ '': 'v', k: '' });
  });
});

/** A valid frame's bytes, damaged: overwritten byte, truncated, padded, or a field spliced in. */
const damaged = fc.tuple(frameArb, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ minLength: 1, maxLength: 12 }), fc.nat(3))
  .map(([frame, at, byte, extra, kind]) => {
    const b = js.encode(frame);
    const i = b.length === 0 ? 0 : at % b.length;
    if (kind === 0) { const c = b.slice(); if (c.length) c[i] = byte; return c; }
    if (kind === 1) return b.slice(0, i);
    const c = new Uint8Array(b.length + extra.length);
    if (kind === 2) { c.set(b); c.set(extra, b.length); return c; }
    c.set(b.subarray(0, i)); c.set(extra, i); c.set(b.subarray(i), i + extra.length); return c;
  });


describe('WASM frame codec: agrees with the JavaScript codec on any input', () => {
  it('gives the same frame or the same error code for random and damaged bytes', () => {
    const same = (bytes: Uint8Array) => void expect(decodeOrError(bytes)).to.deep.equal(decodeOrError(bytes, js));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), same), { numRuns: 1500 });
    fc.assert(fc.property(damaged, same), { numRuns: 1500 });
  });

  it('a batch of damaged frames gives, slot by slot, what decoding each alone gives', () => {
    fc.assert(fc.property(fc.array(damaged, { maxLength: 30 }), (chunks) => {
      const batch = codec.decodeBatch(chunks).map((r) => (r instanceof FlareError ? { error: r.code } : normalize(r)));
      expect(batch).to.deep.equal(chunks.map((c) => decodeOrError(c)));
    }), { numRuns: 100 });
  });

  it('reports the byte offset of the fault as the JavaScript codec does', () => {
    for (const hex of ['1202c328', '0a0612ffffffff0f', '2a030a01ff', '00', '1005']) {
      const e1 = attemptError(() => codec.decode(hexBytes(hex)));
      const e2 = attemptError(() => js.decode(hexBytes(hex)));
      expect([e1.code, e1.details?.['offset']], hex).to.deep.equal([e2.code, e2.details?.['offset']]);
    }
  });
});

function attemptError(run: () => unknown): CodecError {
  try {
    run();
  } catch (e) {
    expect(e).to.be.instanceOf(CodecError);
    return e as CodecError;
  }
  throw new Error('expected a CodecError');
}

describe('WASM frame codec: large frames copied in by pages', () => {
  // 16-byte pages and no eager copy: every frame over 16 bytes goes through the paged path.
  const paged = createWasmFrameCodec(core, { pageShift: 4, eagerBytes: 0 });

  it('decodes random frames, alone and batched, as when copied whole', () => {
    fc.assert(fc.property(fc.array(frameArb, { minLength: 1, maxLength: 8 }), (frames) => {
      const bytes = frames.map((f) => js.encode(f));
      for (const b of bytes) expect(normalize(paged.decode(b))).to.deep.equal(normalize(codec.decode(b)));
      expect(paged.decodeBatch(bytes).map((f) => normalize(f as Frame))).to.deep.equal(frames.map(normalize));
    }), { numRuns: 150 });
  });

  it('gives the JavaScript codec\'s result or error for random and damaged bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => void expect(decodeOrError(b, paged)).to.deep.equal(decodeOrError(b, js))), { numRuns: 1000 });
    fc.assert(fc.property(damaged, (b) => void expect(decodeOrError(b, paged)).to.deep.equal(decodeOrError(b, js))), { numRuns: 1000 });
  });

  it('encodes with bytes values copied straight into the output exactly as when copied through WASM', () => {
    const direct = createWasmFrameCodec(core, { externalBytes: 1 });
    fc.assert(fc.property(fc.array(frameArb, { maxLength: 8 }), (frames) => {
      const want = frames.map((f) => toHex(js.encode(f)));
      expect(direct.encodeBatch(frames).map(toHex)).to.deep.equal(want);
      // Past 64 KB each frame gets its own buffer: external values must land in the right one.
      const many = [...frames, fullFrames()[1]!, ...frames];
      expect(direct.encodeBatch(many).map(toHex)).to.deep.equal(many.map((f) => toHex(js.encode(f))));
      expect(toHex(direct.encodeFramed(frames.filter((f) => js.encode(f).length > 0), { end: true }))).to.equal(
        toHex(codec.encodeFramed(frames.filter((f) => js.encode(f).length > 0), { end: true })),
      );
    }), { numRuns: 60 });
    direct.dispose();
  });

  it('copies only the pages around a big payload: the payload never enters WASM memory', () => {
    const payload = crypto.getRandomValues(new Uint8Array(60_000));
    const marker = payload.slice(30_000, 30_032);
    const frame: Frame = { ...fullFrames()[1]!, command: { case: 'payload', value: { type: 1, messageId: 'big', payload, metadata: textMeta({ k: 'v' }), seq: 1 } } };
    const bytes = js.encode(frame);
    const inWasmMemory = () => {
      const mem = new Uint8Array(core.exports.memory.buffer);
      for (let i = mem.indexOf(marker[0]!); i >= 0; i = mem.indexOf(marker[0]!, i + 1)) {
        let j = 1;
        while (j < marker.length && mem[i + j] === marker[j]) j++;
        if (j === marker.length) return true;
      }
      return false;
    };
    const probe = createWasmFrameCodec(core); // 4 KB pages, frames over 16 KB paged
    const f = probe.decode(bytes);
    expect(normalize(f)).to.deep.equal(normalize(frame));
    expect((f.command!.value as { payload: Uint8Array }).payload.buffer).to.equal(bytes.buffer);
    expect(inWasmMemory()).to.equal(false);
    const eager = createWasmFrameCodec(core, { eagerBytes: 1 << 20 });
    expect(normalize(eager.decode(bytes))).to.deep.equal(normalize(frame));
    expect(inWasmMemory()).to.equal(true); // the probe can see a copied payload
    probe.dispose();
    eager.dispose();
  });
});

describe('WASM frame codec: batches and memory', () => {
  it('decodes batches larger than the tape, and frames larger than it, across several WASM calls', () => {
    const frames = Array.from({ length: 5000 }, (_, i): Frame => ({
      command: { case: 'payload', value: { type: 1, messageId: `m-${i}`, payload: Uint8Array.of(i & 255), metadata: textMeta({ k: `${i}` }), seq: i } },
      messageId: `f-${i}`, reliability: 1, timestamp: 1e12 + i, metadata: textMeta({ a: 'b', c: 'd' }),
    }));
    const out = codec.decodeBatch(codec.encodeBatch(frames));
    expect(out.map((f) => normalize(f as Frame))).to.deep.equal(frames.map(normalize));
    const many = textMeta(Array.from({ length: 30_000 }, (_, i) => [`k${i}`, `${i}`] as const));
    const big: Frame = { command: null, messageId: '', reliability: 0, timestamp: 0, metadata: many };
    const small = frames.slice(0, 40);
    const mixed = codec.decodeBatch(codec.encodeBatch([...small, big, ...small]));
    expect(mixed.map((f) => normalize(f as Frame))).to.deep.equal([...small, big, ...small].map(normalize));
  });

  it('reuses interned metadata keys only while they are right: collisions, failed frames, long keys', () => {
    const frameWith = (keys: string[]): Frame => ({
      command: null, messageId: 'k', reliability: 0, timestamp: 0, metadata: textMeta(keys.map((k) => [k, k.slice(0, 3)] as const)),
    });
    const keyset = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
    const long = ['x'.repeat(59), 'x'.repeat(60), 'x'.repeat(61), 'y'.repeat(60), 'ключ'.repeat(7)];
    // 600 distinct keys over 256 slots, in several batches, interleaved with frames that fail after their metadata.
    const good = [frameWith(keyset(600, 'a')), frameWith(keyset(300, 'b')), frameWith(long), frameWith(keyset(600, 'a').reverse())];
    const failing = (f: Frame) => {
      const b = codec.encode(f);
      const c = new Uint8Array(b.length + 2);
      c.set(b);
      c.set([0x12, 0x05], b.length); // a message_id that runs past the end
      return c;
    };
    for (let round = 0; round < 3; round++) {
      const chunks = [codec.encode(good[0]!), failing(good[1]!), codec.encode(good[1]!), failing(good[2]!), codec.encode(good[2]!), codec.encode(good[3]!)];
      const out = codec.decodeBatch(chunks);
      expect(out.map((r) => (r instanceof FlareError ? r.code : normalize(r)))).to.deep.equal(chunks.map((c) => decodeOrError(c, js) as unknown).map((r) => (r as { error?: string }).error ?? r));
      for (const f of good) expect(normalize(codec.decode(codec.encode(f)))).to.deep.equal(normalize(f));
    }
  });

  it('puts a CodecError in the slot of each bad chunk and decodes the others', () => {
    const good = codec.encode(fullFrames()[0]!);
    const out = codec.decodeBatch([good, hexBytes('0e'), 'nope' as unknown as Uint8Array, hexBytes('0aff'), new Uint8Array(0), good]);
    expect(out.map((r) => (r instanceof CodecError ? r.code : 'frame'))).to.deep.equal([
      'frame', ErrorCode.MALFORMED_FRAME, ErrorCode.INVALID_ARGUMENT, ErrorCode.TRUNCATED, 'frame', 'frame',
    ]);
  });

  it('never returns views into WASM memory, and later calls leave earlier results alone', () => {
    const wasmBuffer = core.exports.memory.buffer;
    const frames = fullFrames();
    const encoded = codec.encodeBatch(frames);
    const single = codec.encode(frames[0]!);
    for (const b of [...encoded, single]) expect(b.buffer).to.not.equal(wasmBuffer);
    const decoded = codec.decodeBatch(encoded) as Frame[];
    const before = decoded.map(normalize);
    const sys = decoded[0]!.command!.value as { data: Uint8Array; metadata: Metadata };
    expect(sys.data.buffer).to.not.equal(core.exports.memory.buffer);
    expect(sys.metadata['a']!.buffer).to.not.equal(core.exports.memory.buffer);
    codec.decodeBatch(codec.encodeBatch(fullFrames().reverse()));
    codec.encode(fullFrames()[1]!);
    expect(decoded.map(normalize)).to.deep.equal(before);
  });

  it('does not grow WASM memory over repeated batches (buffers are reused, not leaked)', () => {
    const frames = Array.from({ length: 200 }, () => fullFrames()[3]!);
    for (let i = 0; i < 5; i++) codec.decodeBatch(codec.encodeBatch(frames));
    const size = core.exports.memory.buffer.byteLength;
    for (let i = 0; i < 200; i++) codec.decodeBatch(codec.encodeBatch(frames));
    const other = createWasmFrameCodec(core);
    other.decodeBatch(other.encodeBatch(frames));
    other.dispose();
    for (let i = 0; i < 50; i++) {
      const c = createWasmFrameCodec(core);
      c.decodeBatch(c.encodeBatch(frames));
      c.dispose();
    }
    expect(core.exports.memory.buffer.byteLength).to.equal(size);
  });

  it('refuses values it cannot encode with INVALID_ARGUMENT naming the field', () => {
    const ok = fullFrames()[1]!;
    const bad: Array<[Frame, string]> = [
      [{ ...ok, messageId: 5 as unknown as string }, 'messageId'],
      [{ ...ok, reliability: 1.5 }, 'reliability'],
      [{ ...ok, reliability: 2 ** 31 }, 'reliability'],
      [{ ...ok, timestamp: -1 }, 'timestamp'],
      [{ ...ok, timestamp: NaN }, 'timestamp'],
      [{ ...ok, metadata: { k: 'v' } as unknown as Metadata }, 'metadata["k"]'],
      [{ ...ok, metadata: null as unknown as Metadata }, 'metadata'],
      [{ ...ok, command: { case: 'payload', value: { ...(ok.command!.value as object), payload: [1] } } as unknown as Frame['command'] }, 'command.payload.payload'],
      [{ ...ok, command: { case: 'video', value: {} } as unknown as Frame['command'] }, 'command.case'],
    ];
    for (const [frame, path] of bad) {
      const e = attemptError(() => codec.encodeBatch([ok, frame]));
      expect(e.code).to.equal(ErrorCode.INVALID_ARGUMENT);
      expect(e.details?.['path'], path).to.equal(path);
    }
    // The codec is still fine afterwards.
    expect(normalize(codec.decode(codec.encode(ok)))).to.deep.equal(normalize(ok));
  });
});

describe('WASM frame codec: encodeFramed', () => {
  it('writes length-prefixed frames, and the end marker on request', () => {
    const frames = fullFrames().slice(0, 4);
    const framed = codec.encodeFramed(frames, { end: true });
    let at = 0;
    const view = new DataView(framed.buffer, framed.byteOffset, framed.byteLength);
    for (const f of frames) {
      const len = view.getUint32(at);
      expect(toHex(framed.subarray(at + 4, at + 4 + len))).to.equal(toHex(js.encode(f)));
      at += 4 + len;
    }
    expect(toHex(framed.subarray(at))).to.equal('00000000');
  });

  it('refuses a frame over the limit (FRAME_TOO_LARGE) and one that encodes to nothing', () => {
    const frames = fullFrames();
    const e = attemptError(() => codec.encodeFramed(frames, { maxFrameBytes: 1000 }));
    expect(e.code).to.equal(ErrorCode.FRAME_TOO_LARGE);
    expect(e.details).to.include({ index: 1, limit: 1000, size: js.encode(frames[1]!).length });
    expect(attemptError(() => codec.encodeFramed([frames[4]!])).code).to.equal(ErrorCode.INVALID_ARGUMENT);
  });
});
