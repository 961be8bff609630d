import { expect } from 'chai';
import { CLIENT_DEFAULTS, ErrorCode, FlareClient, FlareError, type FlareClientOptions } from '../../../src/sdk/index.ts';
import { messageTtlMs, toSessionOptions } from '../../../src/sdk/options.ts';
import { invalid } from './helpers.ts';

const URL_ = 'https://chat.example:8443';

describe('FlareClient options and builder', () => {
  it('the builder sets what the seed names; build() resolves defaults', () => {
    const c = FlareClient.builder('alice', URL_)
      .preferredProtocol('quic')
      .connectionTimeout(5000)
      .heartbeatInterval(20_000)
      .maxReconnectAttempts(5)
      .autoReconnect(true)
      .autoSwitch(false)
      .messageRetry(3, 1000)
      .bufferSize(8192)
      .build();
    expect(c).to.be.instanceOf(FlareClient);
    const o = c.options;
    expect(o.userId).to.equal('alice');
    expect(o.preferredProtocol).to.equal('webtransport');
    expect(o.connectionTimeoutMs).to.equal(5000);
    expect(o.maxReconnectAttempts).to.equal(5);
    expect(o.autoSwitch).to.equal(false);
    expect(o.messageRetry).to.deep.equal({ maxRetries: 3, retryDelayMs: 1000 });
    expect(o.requestTimeoutMs).to.equal(CLIENT_DEFAULTS.requestTimeoutMs);
    expect(Object.isFrozen(o)).to.equal(true);
    const s = toSessionOptions(o);
    expect(s).to.include({ url: URL_, userId: 'alice', preferredTransport: 'webtransport', connectTimeoutMs: 5000, heartbeatIntervalMs: 20_000, heartbeatTimeoutMs: 60_000, maxReconnectAttempts: 5, autoSwitch: false, resendAfterMs: 1000, outboxMaxEntries: 8192 });
    expect(s.transports).to.deep.equal(['webtransport', 'websocket']);
    expect(messageTtlMs(o.messageRetry)).to.equal(4000);
    expect(messageTtlMs(CLIENT_DEFAULTS.messageRetry)).to.equal(undefined);
    expect(c.status).to.equal('disconnected');
  });

  it('the options object and the builder agree', () => {
    const a = new FlareClient({ url: URL_, userId: 'bob', protocols: ['websocket'], preferredProtocol: 'websocket' });
    const b = FlareClient.builder('bob', URL_).protocols('websocket').preferredProtocol('websocket').build();
    expect(toSessionOptions(a.options)).to.deep.equal(toSessionOptions(b.options));
  });

  const bad: Array<[string, Partial<FlareClientOptions>]> = [
    ['url', { url: '' }],
    ['url', { url: 'not a url' }],
    ['url', { url: 'ftp://x' }],
    ['userId', { userId: '' }],
    ['preferredProtocol', { preferredProtocol: 'carrier-pigeon' as never }],
    ['protocols', { protocols: [] }],
    ['protocols', { protocols: ['websocket', 'smoke' as never] }],
    ['connectionTimeoutMs', { connectionTimeoutMs: 0 }],
    ['heartbeatIntervalMs', { heartbeatIntervalMs: -1 }],
    ['heartbeatTimeoutMs', { heartbeatIntervalMs: 10_000, heartbeatTimeoutMs: 5000 }],
    ['maxReconnectAttempts', { maxReconnectAttempts: 1.5 }],
    ['maxReconnectAttempts', { maxReconnectAttempts: NaN }],
    ['messageRetry.maxRetries', { messageRetry: { maxRetries: -1 } }],
    ['messageRetry.retryDelayMs', { messageRetry: { retryDelayMs: 0 } }],
    ['bufferSize', { bufferSize: 0 }],
    ['autoReconnect', { autoReconnect: 'yes' as never }],
    ['format', { format: 'xml' as never }],
    ['requestTimeoutMs', { requestTimeoutMs: Infinity }],
    ['streamWindow', { streamWindow: 0.5 }],
    ['workerUrl', { workerUrl: 42 as never }],
    ['getToken', { getToken: 'token' as never }],
  ];
  for (const [option, patch] of bad) {
    it(`refuses a bad ${option} (${JSON.stringify(patch)}) naming the option`, () => {
      const e = invalid(() => new FlareClient({ url: URL_, ...patch }));
      expect(e.details?.option).to.equal(option);
      expect(e.message).to.contain(option);
    });
  }

  it('the builder fails at build(), not at the setter', () => {
    const b = FlareClient.builder('carol', URL_).connectionTimeout(-5);
    const e = invalid(() => b.build());
    expect(e.details?.option).to.equal('connectionTimeoutMs');
    invalid(() => FlareClient.builder('', URL_).build());
    invalid(() => FlareClient.builder('dave', 'nope').build());
  });

  it('sending before the first connect needs no server for validation errors', async () => {
    const c = new FlareClient({ url: URL_ });
    const e = await c.sendText({} as never, 'x').then(
      () => null,
      (x) => x,
    );
    expect(e).to.be.instanceOf(FlareError).with.property('code', ErrorCode.INVALID_ARGUMENT);
    const e2 = await c.request('').then(
      () => null,
      (x) => x,
    );
    expect(e2).to.be.instanceOf(FlareError).with.property('code', ErrorCode.INVALID_ARGUMENT);
    expect(() => c.createStream('')).to.throw(FlareError);
    await c.close();
    const e3 = await c.connect().then(
      () => null,
      (x) => x,
    );
    expect(e3).to.be.instanceOf(FlareError).with.property('code', ErrorCode.INVALID_STATE);
  });
});
