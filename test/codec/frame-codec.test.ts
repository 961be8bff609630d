// The shared FrameCodec suite: golden vectors from flare-core, round trips of
// random valid frames, batches, and agreement between the protobuf
// implementations. Runs against every implementation (codecs-under-test.ts).
import { expect } from 'chai';
import fc from 'fast-check';
import { CodecError, ErrorCode, FlareError, Reliability, SystemType, metaText, metadataToText, systemFrame } from '../../src/codec/index.ts';
import type { Frame } from '../../src/codec/index.ts';
import { CONNECT_JSON, KICKED_PB_HEX, NEGOTIATION_READY_JSON, PING_PB_HEX, hexBytes, toHex } from '../fixtures/flare-core.ts';
import { codecsUnderTest, protobufCodecs } from './codecs-under-test.ts';
import { frameArb, normalize } from './frame-arbitraries.ts';

const impls = await codecsUnderTest();
const utf8 = new TextEncoder();

function systemOf(frame: Frame) {
  expect(frame.command?.case).to.equal('system');
  if (frame.command?.case !== 'system') throw new Error('unreachable');
  return frame.command.value;
}

describe('golden vectors (flare-core fixtures)', () => {
  const json = impls.find((c) => c.name === 'json')!.codec;

  it('connect.json decodes to the CONNECT the flare-core client sent', () => {
    const frame = json.decode(utf8.encode(CONNECT_JSON));
    const sys = systemOf(frame);
    expect(sys.type).to.equal(SystemType.CONNECT);
    expect(sys.format).to.equal(1);
    expect([sys.message, sys.compression, sys.encryption, sys.data.length]).to.deep.equal(['', '', '', 0]);
    expect({ ...metadataToText(sys.metadata) }).to.deep.equal({
      token: 'tok-abc',
      format: 'protobuf',
      app_version: '1.0.0',
      desired_conflict_strategy: 'platform_exclusive',
      platform: 'web',
      model: 'FlareSDK-Web',
      user_id: 'alice',
      device_id: 'sdk-web-1b65f91c-2c1c-43cb-a2e8-abbb501caddf',
    });
    expect(frame.messageId).to.equal('1795390572980-0000000000000000');
    expect(frame.reliability).to.equal(Reliability.AT_LEAST_ONCE);
    expect(frame.timestamp).to.equal(1795390572980);
    expect(Object.keys(frame.metadata)).to.deep.equal([]);
  });

  it('encoding the CONNECT as JSON gives connect.json (as a value and as text)', () => {
    const frame = json.decode(utf8.encode(CONNECT_JSON));
    const text = new TextDecoder().decode(json.encode(frame));
    expect(JSON.parse(text)).to.deep.equal(JSON.parse(CONNECT_JSON));
    expect(text).to.equal(CONNECT_JSON);
  });

  it('negotiation_ready.json decodes to NEGOTIATION_READY and re-encodes to the same text', () => {
    const frame = json.decode(utf8.encode(NEGOTIATION_READY_JSON));
    const sys = systemOf(frame);
    expect([sys.type, sys.format, Object.keys(sys.metadata).length]).to.deep.equal([SystemType.NEGOTIATION_READY, 0, 0]);
    expect([frame.messageId, frame.reliability, frame.timestamp]).to.deep.equal(['1795390572994-0000000000000001', 1, 1795390572994]);
    expect(new TextDecoder().decode(json.encode(frame))).to.equal(NEGOTIATION_READY_JSON);
  });

  for (const { name, codec } of protobufCodecs(impls)) {
    describe(name, () => {
      it('ping.pb.hex decodes to the PING', () => {
        const frame = codec.decode(hexBytes(PING_PB_HEX));
        expect(systemOf(frame).type).to.equal(SystemType.PING);
        expect([frame.messageId, frame.reliability, frame.timestamp]).to.deep.equal(['1795390506300-0000000000000002', 1, 1795390506300]);
      });

      it("encoding the PING's fields gives exactly ping.pb.hex", () => {
        const frame = systemFrame(SystemType.PING, {}, { messageId: '1795390506300-0000000000000002', timestamp: 1795390506300 });
        expect(toHex(codec.encode(frame))).to.equal(PING_PB_HEX);
      });

      it('kicked.pb.hex decodes to the KICKED with its reason, platform and new device', () => {
        const frame = codec.decode(hexBytes(KICKED_PB_HEX));
        const sys = systemOf(frame);
        expect([sys.type, sys.message]).to.deep.equal([SystemType.KICKED, 'kicked for test']);
        expect(metaText(sys.metadata, 'reason')).to.equal('device_conflict');
        expect(metaText(sys.metadata, 'platform')).to.equal('Web');
        expect(metaText(sys.metadata, 'new_device_id')).to.equal('dev-2');
        expect([frame.messageId, frame.reliability, frame.timestamp]).to.deep.equal(['srv-kick', 1, 1795390595015]);
      });

      it("encoding the KICKED's fields gives exactly kicked.pb.hex", () => {
        const frame = systemFrame(
          SystemType.KICKED,
          { message: 'kicked for test', metadata: { reason: 'device_conflict', platform: 'Web', new_device_id: 'dev-2' } },
          { messageId: 'srv-kick', timestamp: 1795390595015 },
        );
        expect(toHex(codec.encode(frame))).to.equal(KICKED_PB_HEX);
      });
    });
  }
});

for (const { name, codec } of impls) {
  describe(`FrameCodec: ${name}`, () => {
    it('round-trips random valid frames', () => {
      fc.assert(
        fc.property(frameArb, (frame) => {
          expect(normalize(codec.decode(codec.encode(frame)))).to.deep.equal(normalize(frame));
        }),
        { numRuns: 300 },
      );
    });

    it('decodes metadata into null-prototype records, __proto__ keys included', () => {
      const frame = systemFrame(SystemType.EVENT);
      frame.metadata['__proto__'] = utf8.encode('x');
      frame.metadata['constructor'] = utf8.encode('y');
      const out = codec.decode(codec.encode(frame));
      expect(Object.getPrototypeOf(out.metadata)).to.equal(null);
      expect(Object.keys(out.metadata).sort()).to.deep.equal(['__proto__', 'constructor']);
      expect(metaText(out.metadata, '__proto__')).to.equal('x');
      expect(metaText(out.metadata, 'constructor')).to.equal('y');
    });

    it('writes lone surrogates as U+FFFD (valid UTF-8 / JSON a flare-core peer accepts)', () => {
      const frame = systemFrame(SystemType.EVENT, { message: 'a\ud800b' }, { messageId: '\udc00' });
      frame.metadata['k\ud83d'] = utf8.encode('v');
      const out = codec.decode(codec.encode(frame));
      expect(systemOf(out).message).to.equal('a\ufffdb');
      expect(out.messageId).to.equal('\ufffd');
      expect(Object.keys(out.metadata)).to.deep.equal(['k\ufffd']);
    });

    it('encodeBatch / decodeBatch agree with one-at-a-time calls', () => {
      fc.assert(
        fc.property(fc.array(frameArb, { maxLength: 8 }), (frames) => {
          const batch = codec.encodeBatch(frames);
          expect(batch.map(toHex)).to.deep.equal(frames.map((f) => toHex(codec.encode(f))));
          const decoded = codec.decodeBatch(batch);
          expect(decoded.map((f) => normalize(f as Frame))).to.deep.equal(frames.map(normalize));
        }),
        { numRuns: 50 },
      );
    });

    it('decodeBatch puts a bad frame\'s error in its slot and decodes the others', () => {
      const good = codec.encode(systemFrame(SystemType.PING));
      const bad = name === 'json' ? utf8.encode('{"command":') : hexBytes('0a05');
      const out = codec.decodeBatch([good, bad, good]);
      expect(out).to.have.length(3);
      expect(out[1]).to.be.instanceOf(CodecError);
      expect(FlareError.is(out[1])).to.equal(true);
      expect(systemOf(out[0] as Frame).type).to.equal(SystemType.PING);
      expect(systemOf(out[2] as Frame).type).to.equal(SystemType.PING);
    });

    it('refuses unencodable values with INVALID_ARGUMENT naming the field', () => {
      const bad: Array<[string, (f: Frame) => void]> = [
        ['reliability', (f) => (f.reliability = 1.5)],
        ['timestamp', (f) => (f.timestamp = -1)],
        ['timestamp', (f) => (f.timestamp = Number.NaN)],
        ['messageId', (f) => ((f as { messageId: unknown }).messageId = 42)],
        ['metadata', (f) => ((f.metadata as Record<string, unknown>)['k'] = 'text')],
        ['command.system.data', (f) => ((systemOf(f) as { data: unknown }).data = [1, 2])],
        ['command.case', (f) => ((f as { command: unknown }).command = { case: 'nope', value: {} })],
      ];
      for (const [path, spoil] of bad) {
        const frame = systemFrame(SystemType.PING);
        spoil(frame);
        try {
          codec.encode(frame);
          expect.fail(`encoding a bad ${path} should fail`);
        } catch (e) {
          expect(e).to.be.instanceOf(CodecError);
          expect((e as CodecError).code).to.equal(ErrorCode.INVALID_ARGUMENT);
          expect((e as CodecError).message).to.contain(path);
        }
      }
    });
  });
}

const pbs = protobufCodecs(impls);
if (pbs.length > 1) {
  describe('protobuf implementations agree', () => {
    it('encode random frames to identical bytes', () => {
      fc.assert(
        fc.property(frameArb, (frame) => {
          const [first, ...rest] = pbs.map(({ codec }) => toHex(codec.encode(frame)));
          for (const other of rest) expect(other).to.equal(first);
        }),
        { numRuns: 300 },
      );
    });

    it('decode random and mutated bytes to the same frame or the same error code', () => {
      const outcome = (codec: (typeof pbs)[number]['codec'], bytes: Uint8Array) => {
        try {
          return normalize(codec.decode(bytes));
        } catch (e) {
          return (e as CodecError).code;
        }
      };
      const input = fc.oneof(
        fc.uint8Array({ maxLength: 200 }),
        fc.tuple(frameArb, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([f, at, v]) => {
          const b = pbs[0]!.codec.encode(f).slice();
          if (b.length) b[at % b.length] = v;
          return b;
        }),
      );
      fc.assert(
        fc.property(input, (bytes) => {
          const [first, ...rest] = pbs.map(({ codec }) => outcome(codec, bytes));
          for (const other of rest) expect(other).to.deep.equal(first);
        }),
        { numRuns: 500 },
      );
    });
  });
}
