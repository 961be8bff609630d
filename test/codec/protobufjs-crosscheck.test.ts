// Cross-check of the protobuf codecs against protobufjs, an independent
// implementation, with flare-core's schema built in code.
import { expect } from 'chai';
import fc from 'fast-check';
import type { Frame, Metadata } from '../../src/codec/index.ts';
import { hexBytes, KICKED_PB_HEX, PING_PB_HEX, toHex } from '../fixtures/flare-core.ts';
import { fromProtobufjs, protobufjsFrameType, toProtobufjs } from '../helpers/protobufjs-frame.ts';
import { codecsUnderTest, protobufCodecs } from './codecs-under-test.ts';
import { frameArb, normalize } from './frame-arbitraries.ts';

const impls = protobufCodecs(await codecsUnderTest());
const FrameType = protobufjsFrameType();

/** Metadata without what protobufjs cannot mirror: `__proto__` keys (its maps are plain objects). */
function withoutProto(m: Metadata, alsoEmpty: boolean): Metadata {
  const out = Object.create(null) as Metadata;
  for (const k of Object.keys(m)) {
    if (k === '__proto__' || (alsoEmpty && (k === '' || m[k]!.length === 0))) continue;
    out[k] = m[k]!;
  }
  return out;
}

/** The frame with its metadata cleaned (see withoutProto). */
function clean(frame: Frame, alsoEmpty: boolean): Frame {
  const out = { ...frame, metadata: withoutProto(frame.metadata, alsoEmpty) };
  if (frame.command) {
    const value = { ...frame.command.value, metadata: withoutProto(frame.command.value.metadata, alsoEmpty) };
    out.command = { case: frame.command.case, value } as Frame['command'];
  }
  return out;
}

describe('protobufjs agrees on the fixtures', () => {
  it('decodes ping.pb.hex and kicked.pb.hex and re-encodes them to the same bytes', () => {
    for (const hex of [PING_PB_HEX, KICKED_PB_HEX]) {
      const msg = FrameType.decode(hexBytes(hex));
      expect(toHex(FrameType.encode(toProtobufjs(fromProtobufjs(msg as never))).finish())).to.equal(hex);
    }
  });
});

for (const { name, codec } of impls) {
  describe(`protobufjs cross-check: ${name}`, () => {
    it('writes the same bytes as protobufjs for frames without empty map keys or values', () => {
      fc.assert(
        fc.property(frameArb, (raw) => {
          const frame = clean(raw, true);
          const theirs = FrameType.encode(toProtobufjs(frame)).finish();
          expect(toHex(codec.encode(frame))).to.equal(toHex(theirs));
        }),
        { numRuns: 300 },
      );
    });

    it('protobufjs decodes our bytes to the same frame', () => {
      fc.assert(
        fc.property(frameArb, (raw) => {
          const frame = clean(raw, false);
          const msg = FrameType.decode(codec.encode(frame));
          expect(normalize(fromProtobufjs(msg as never))).to.deep.equal(normalize(frame));
        }),
        { numRuns: 300 },
      );
    });

    it("decodes protobufjs's bytes (empty map keys and values written out) to the same frame", () => {
      fc.assert(
        fc.property(frameArb, (raw) => {
          const frame = clean(raw, false);
          const theirs = FrameType.encode(toProtobufjs(frame)).finish();
          expect(normalize(codec.decode(theirs))).to.deep.equal(normalize(frame));
        }),
        { numRuns: 300 },
      );
    });
  });
}
