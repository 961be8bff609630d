import { expect } from 'chai';
import * as Comlink from 'comlink';
import { CodecError, ErrorCode, FlareError } from '../../src/codec/errors.ts';
import { deserializeError, oneWay, postWith, registerFlareTransferHandlers, serializeError } from '../../src/worker/transfer-handlers.ts';

describe('worker/transfer-handlers', () => {
  before(() => registerFlareTransferHandlers());

  it('keeps code, details and the cause chain of a FlareError thrown across comlink', async () => {
    const { port1, port2 } = new MessageChannel();
    Comlink.expose(
      {
        fail() {
          const root = new TypeError('socket reset');
          throw new FlareError(ErrorCode.TRANSPORT_UNAVAILABLE, 'no transport', { cause: root, details: { tried: ['webtransport', 'websocket'] } });
        },
        failCodec() {
          throw CodecError.tooLarge(20, 10);
        },
        plain() {
          throw new RangeError('plain');
        },
        value() {
          return new FlareError(ErrorCode.QUEUE_FULL, 'full', { details: { size: 3 } });
        },
      },
      port1,
    );
    const remote = Comlink.wrap<{ fail(): void; failCodec(): void; plain(): void; value(): FlareError }>(port2);
    try {
      await remote.fail();
      expect.fail('did not throw');
    } catch (e) {
      expect(e).to.be.instanceOf(FlareError);
      const fe = e as FlareError;
      expect(fe.code).to.equal('transport_unavailable');
      expect(fe.details).to.deep.equal({ tried: ['webtransport', 'websocket'] });
      expect((fe.cause as Error).name).to.equal('TypeError');
      expect((fe.cause as Error).message).to.equal('socket reset');
    }
    try {
      await remote.failCodec();
      expect.fail('did not throw');
    } catch (e) {
      expect(e).to.be.instanceOf(CodecError);
      expect((e as CodecError).code).to.equal('frame_too_large');
      expect((e as CodecError).details).to.deep.equal({ size: 20, limit: 10 });
    }
    try {
      await remote.plain();
      expect.fail('did not throw');
    } catch (e) {
      expect(e).to.not.be.instanceOf(FlareError);
      expect((e as Error).name).to.equal('RangeError');
    }
    const v = await remote.value();
    expect(v).to.be.instanceOf(FlareError);
    expect(v.code).to.equal('queue_full');
    port1.close();
    port2.close();
  });

  it('serializes uncloneable details and non-error causes safely', () => {
    const e = new FlareError(ErrorCode.INTERNAL, 'x', { details: { fn: () => 1, n: 2 } as never, cause: { why: 'str' } });
    const s = serializeError(e);
    expect(() => structuredClone(s)).to.not.throw();
    const back = deserializeError(structuredClone(s)) as FlareError;
    expect(back.code).to.equal('internal');
    expect(back.cause).to.deep.equal({ why: 'str' });
    expect(serializeError('nope')).to.deep.equal({ name: 'Error', message: 'nope' });
  });

  it('passes a oneWay function as a posting channel: values arrive in order, buffers are transferred, nothing answers', async () => {
    const { port1, port2 } = new MessageChannel();
    let far: ((v: unknown) => void) | null = null;
    const answers: unknown[] = [];
    port2.addEventListener('message', (e) => answers.push(e.data));
    Comlink.expose({ take: (fn: (v: unknown) => void) => void (far = fn) }, port1);
    const remote = Comlink.wrap<{ take(fn: (v: unknown) => void): void }>(port2);
    const got: unknown[] = [];
    let wake = () => {};
    const sink = oneWay((v: unknown) => {
      got.push(v);
      wake();
    });
    await remote.take(sink);
    expect(far).to.be.a('function');
    expect(sink.port).to.be.instanceOf(MessagePort);
    const bytes = new Uint8Array([1, 2, 3]);
    const arrived = new Promise<void>((r) => (wake = () => got.length === 2 && r()));
    far!({ n: 1 });
    expect(postWith(far!, { n: 2, bytes }, [bytes.buffer])).to.equal(true);
    expect(bytes.byteLength).to.equal(0); // transferred, not copied
    await arrived;
    expect(got[0]).to.deep.equal({ n: 1 });
    expect(Array.from((got[1] as { bytes: Uint8Array }).bytes)).to.deep.equal([1, 2, 3]);
    // A plain function is not a channel: postWith leaves it to the caller.
    expect(postWith(() => {}, 1, [])).to.equal(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(answers.length).to.equal(1); // only the answer to take(), none per delivery
    sink.port!.close();
    remote[Comlink.releaseProxy]();
  });
});
