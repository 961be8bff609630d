// flare-core's JSON format: what serde_json accepts and what it refuses, and
// the shape we write.
import { expect } from 'chai';
import {
  CodecError,
  ErrorCode,
  PayloadType,
  createJsonCodec,
  decodeFrameJsonText,
  encodeFrameJsonText,
  frameToJson,
  payloadFrame,
} from '../../src/codec/index.ts';
import { CONNECT_JSON } from '../fixtures/flare-core.ts';

const codec = createJsonCodec();

/** A valid PING in flare-core JSON, as a value to spoil. */
function ping(): Record<string, any> {
  return JSON.parse(
    '{"command":{"type":{"system":{"type":4,"format":0,"message":"","metadata":{},"data":[],"compression":"","encryption":""}}},' +
      '"message_id":"1-0000000000000000","reliability":1,"timestamp":1,"metadata":{}}',
  );
}

function expectMalformed(value: unknown, path: string): void {
  try {
    decodeFrameJsonText(typeof value === 'string' ? value : JSON.stringify(value));
    expect.fail(`should refuse (${path})`);
  } catch (e) {
    expect(e).to.be.instanceOf(CodecError);
    expect((e as CodecError).code).to.equal(ErrorCode.MALFORMED_FRAME);
    expect((e as CodecError).details?.['path']).to.equal(path);
  }
}

describe('JSON codec (flare-core format)', () => {
  it('writes snake_case keys, the externally tagged oneof, numbers for bytes, every field', () => {
    const frame = payloadFrame(
      PayloadType.MESSAGE,
      { payload: new Uint8Array([104, 105]), seq: 9, metadata: { k: 'v' } },
      { messageId: 'm-1', timestamp: 5, reliability: 3 },
    );
    expect(JSON.parse(encodeFrameJsonText(frame))).to.deep.equal({
      command: { type: { payload: { type: 1, message_id: 'm-1', payload: [104, 105], metadata: { k: [118] }, seq: 9 } } },
      message_id: 'm-1',
      reliability: 3,
      timestamp: 5,
      metadata: {},
    });
    expect(JSON.parse(encodeFrameJsonText(frame))).to.deep.equal(JSON.parse(JSON.stringify(frameToJson(frame))));
  });

  it('writes a missing command as null and reads null, absent and {"type":null} as no command', () => {
    const f = ping();
    f['command'] = null;
    const text = JSON.stringify(f);
    expect(codec.decode(new TextEncoder().encode(text)).command).to.equal(null);
    expect(encodeFrameJsonText(decodeFrameJsonText(text))).to.equal(text);
    delete f['command'];
    expect(decodeFrameJsonText(JSON.stringify(f)).command).to.equal(null);
    f['command'] = { type: null };
    expect(decodeFrameJsonText(JSON.stringify(f)).command).to.equal(null);
  });

  it('ignores unknown keys, as serde does', () => {
    const f = ping();
    f['extra'] = [1, 2];
    f['command']['type']['system']['future'] = 'x';
    expect(decodeFrameJsonText(JSON.stringify(f)).messageId).to.equal('1-0000000000000000');
  });

  it('refuses missing fields, naming them', () => {
    for (const key of ['message_id', 'reliability', 'timestamp', 'metadata']) {
      const f = ping();
      delete f[key];
      expectMalformed(f, `frame.${key}`);
    }
    for (const key of ['type', 'format', 'message', 'metadata', 'data', 'compression', 'encryption']) {
      const f = ping();
      delete f['command']['type']['system'][key];
      expectMalformed(f, `frame.command.type.system.${key}`);
    }
  });

  it('refuses wrongly typed values (a peer would drop the frame)', () => {
    const spoil = (edit: (f: Record<string, any>) => void, path: string) => {
      const f = ping();
      edit(f);
      expectMalformed(f, path);
    };
    const sys = (f: Record<string, any>) => f['command']['type']['system'];
    spoil((f) => (sys(f).data = ''), 'frame.command.type.system.data');
    spoil((f) => (sys(f).data = [1, 256]), 'frame.command.type.system.data[1]');
    spoil((f) => (sys(f).data = [1, -1]), 'frame.command.type.system.data[1]');
    spoil((f) => (sys(f).data = [0.5]), 'frame.command.type.system.data[0]');
    spoil((f) => (sys(f).data = ['1']), 'frame.command.type.system.data[0]');
    spoil((f) => (sys(f).metadata = { k: 'text' }), 'frame.command.type.system.metadata["k"]');
    spoil((f) => (sys(f).metadata = []), 'frame.command.type.system.metadata');
    spoil((f) => (sys(f).type = 'PING'), 'frame.command.type.system.type');
    spoil((f) => (sys(f).type = 2 ** 31), 'frame.command.type.system.type');
    spoil((f) => (sys(f).message = null), 'frame.command.type.system.message');
    spoil((f) => (f['timestamp'] = -1), 'frame.timestamp');
    spoil((f) => (f['timestamp'] = 1.5), 'frame.timestamp');
    spoil((f) => (f['message_id'] = 7), 'frame.message_id');
    spoil((f) => (f['command']['type'] = { ping: {} }), 'frame.command.type');
    spoil((f) => (f['command']['type'] = { system: sys(f), custom: {} }), 'frame.command.type');
    spoil((f) => (f['command'] = []), 'frame.command');
  });

  it('refuses what is not JSON, not UTF-8, or not an object', () => {
    expectMalformed('{"command":', 'frame');
    expectMalformed('[]', 'frame');
    expectMalformed('null', 'frame');
    try {
      codec.decode(new Uint8Array([0x7b, 0xff, 0x7d]));
      expect.fail('should refuse');
    } catch (e) {
      expect((e as CodecError).code).to.equal(ErrorCode.MALFORMED_FRAME);
    }
  });

  it('keeps text byte-exact through a round trip of the fixture', () => {
    expect(encodeFrameJsonText(decodeFrameJsonText(CONNECT_JSON))).to.equal(CONNECT_JSON);
  });
});
