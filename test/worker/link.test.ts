import { expect } from 'chai';
import { createCompressor } from '../../src/codec/compression.ts';
import type { FrameCodec } from '../../src/codec/codec.ts';
import { FlareError } from '../../src/codec/errors.ts';
import { Format, PayloadType, SystemType, type Frame } from '../../src/codec/frame-types.ts';
import { payloadFrame, systemFrame } from '../../src/codec/frames.ts';
import { createJsProtobufCodec } from '../../src/codec/js-protobuf-codec.ts';
import { createJsonCodec } from '../../src/codec/json-codec.ts';
import { AckKey } from '../../src/protocol/extensions.ts';
import { Dialed } from '../../src/worker/dialed.ts';
import { Link, type FrameCompressor, type LinkCodecs } from '../../src/worker/link.ts';
import type { Transport } from '../../src/worker/transport.ts';
import { FakeClock } from './helpers/fake-clock.ts';

const json = createJsonCodec();
const pb = createJsProtobufCodec();
const lz4 = createCompressor('lz4');

/** Counts the codec and compressor calls a link makes. */
function counting() {
  const calls = { decode: 0, decodeBatch: [] as number[], decompress: 0, decompressBatch: [] as number[], compress: 0, compressBatch: [] as number[] };
  const protobuf: FrameCodec = {
    ...pb,
    format: pb.format,
    implementation: pb.implementation,
    decode: (b) => (calls.decode++, pb.decode(b)),
    decodeBatch: (cs) => (calls.decodeBatch.push(cs.length), pb.decodeBatch(cs)),
  };
  const compressor: FrameCompressor = {
    name: 'lz4',
    compress: (b) => (calls.compress++, lz4.compress(b)),
    decompress: (b) => (calls.decompress++, lz4.decompress(b)),
    compressBatch: (fs) => (calls.compressBatch.push(fs.length), lz4.compressBatch(fs)),
    decompressBatch: (fs) => (calls.decompressBatch.push(fs.length), lz4.decompressBatch(fs)),
  };
  const codecs: LinkCodecs = { json, protobuf, compressions: ['lz4', 'none'], compressor: (n) => (n === 'lz4' ? compressor : null) };
  return { calls, codecs };
}

/** A link past its handshake (protobuf + lz4), over a transport that records writes. */
async function openLink(opts: { framesThrow?: (fs: Frame[]) => boolean } = {}) {
  const { calls, codecs } = counting();
  const sent: Uint8Array[][] = [];
  const transport = { kind: 'webtransport', url: 'wt://test', isOpen: true, bufferedAmount: 0, maxDatagramSize: 0, open: async () => {}, send: (fs: readonly Uint8Array[]) => void sent.push([...fs]), setBatched: () => {}, sendDatagram: () => false, close: () => {} } as unknown as Transport;
  const dialed = new Dialed(transport);
  const got = { frames: [] as Frame[][], bad: [] as FlareError[] };
  const link = new Link(dialed, codecs, {
    frames: (fs) => {
      if (opts.framesThrow?.(fs)) throw new TypeError('receiver bug');
      got.frames.push(fs);
    },
    badFrame: (e) => void got.bad.push(e),
    closed: () => {},
  });
  const clock = new FakeClock();
  const shaking = link.handshake({ deviceId: 'd' }, { clock, timeoutMs: 1000, newId: () => `id${Math.random()}` });
  const ack = systemFrame(SystemType.CONNECT_ACK, { format: Format.PROTOBUF, compression: 'lz4', metadata: { [AckKey.CONNECTION_ID]: 'c1' } });
  dialed.handlers.frames([json.encode(ack)]);
  await shaking;
  sent.length = 0;
  return { link, dialed, calls, got, sent };
}

const wire = (i: number) => lz4.compress(pb.encode(payloadFrame(PayloadType.DATA, { payload: new Uint8Array([i]), seq: i }, { messageId: `m${i}` })));
const seqs = (fs: Frame[]) => fs.map((f) => (f.command?.case === 'payload' ? f.command.value.seq : -1));

describe('worker/link', () => {
  it('decompresses and decodes all frames of one read in one call each', async () => {
    const { dialed, calls, got } = await openLink();
    dialed.handlers.frames(Array.from({ length: 50 }, (_, i) => wire(i + 1)));
    expect(calls.decompressBatch).to.deep.equal([50]);
    expect(calls.decodeBatch).to.deep.equal([50]);
    expect([calls.decompress, calls.decode]).to.deep.equal([0, 0]);
    expect(got.frames).to.have.length(1);
    expect(seqs(got.frames[0]!)).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('reports a frame that does not decompress and still delivers the others, in order', async () => {
    const { dialed, got } = await openLink();
    const reads = [wire(1), wire(2), new Uint8Array([0xff, 0xff, 0xff, 0x7f, 1, 2]), wire(3), new Uint8Array([9, 0, 0, 0, 0xf0]), wire(4)];
    dialed.handlers.frames(reads);
    expect(got.bad.map((e) => e.code)).to.deep.equal(['decompressed_too_large', 'decompression_failed']);
    expect(got.frames.map(seqs)).to.deep.equal([[1, 2, 3, 4]]);
  });

  it('reports a frame that decompresses but does not decode, and delivers the others', async () => {
    const { dialed, got } = await openLink();
    dialed.handlers.frames([wire(1), lz4.compress(new Uint8Array([0x0a, 0x80])), wire(2)]);
    expect(got.bad).to.have.length(1);
    expect(['malformed_frame', 'truncated']).to.include(got.bad[0]!.code);
    expect(got.frames.map(seqs)).to.deep.equal([[1, 2]]);
  });

  it('compresses the frames of one send in one call', async () => {
    const { link, calls, sent } = await openLink();
    link.send([1, 2, 3].map((i) => payloadFrame(PayloadType.MESSAGE, { seq: i }, { messageId: `s${i}` })));
    expect(calls.compressBatch).to.deep.equal([3]);
    expect(calls.compress).to.equal(0);
    expect(sent).to.have.length(1);
    expect(lz4.decompressBatch(sent[0]!).map((b) => pb.decode(b).messageId)).to.deep.equal(['s1', 's2', 's3']);
  });

  it('reports what the transport dropped as a bad frame', async () => {
    const { dialed, got } = await openLink();
    dialed.handlers.dropped!(new FlareError('frame_too_large', 'too large'));
    expect(got.bad.map((e) => e.code)).to.deep.equal(['frame_too_large']);
  });

  it('never throws into the transport: a failure past decoding becomes a report, and the next read goes on', async () => {
    const { dialed, got } = await openLink({ framesThrow: (fs) => seqs(fs)[0] === 1 });
    expect(() => dialed.handlers.frames([wire(1), wire(2)])).not.to.throw();
    dialed.handlers.frames([wire(3)]);
    expect(got.bad.map((e) => e.code)).to.deep.equal(['internal']);
    expect(got.bad[0]!.message).to.contain('receiver bug');
    expect(got.frames.map(seqs)).to.deep.equal([[3]]);
  });
});
