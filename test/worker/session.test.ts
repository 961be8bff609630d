import { expect } from 'chai';
import { createJsonCodec } from '../../src/codec/json-codec.ts';
import { createJsProtobufCodec } from '../../src/codec/js-protobuf-codec.ts';
import { payloadFrame, systemFrame } from '../../src/codec/frames.ts';
import { PayloadType, SystemType } from '../../src/codec/frame-types.ts';
import type { WorkerEvent } from '../../src/worker/api.ts';
import { resolveOptions } from '../../src/worker/options.ts';
import { Racer } from '../../src/worker/racer.ts';
import { BackoffReconnectPolicy, type ReconnectContext } from '../../src/worker/reconnect-policy.ts';
import { Session } from '../../src/worker/session.ts';
import type { TransportKind } from '../../src/worker/transport.ts';
import { CodecError, ErrorCode, FlareError } from '../../src/codec/errors.ts';
import { FakeClock, advanceAsync } from './helpers/fake-clock.ts';
import { ScriptedTransport, type Script } from './helpers/scripted-transport.ts';

/** A session over scripted transports and a fake clock; `script(kind, n)` says how the n-th dial of a kind behaves. */
function setup(
  script: (kind: TransportKind, n: number) => Script,
  opts: { maxAttempts?: number; online?: () => boolean; transports?: TransportKind[]; emitFails?: (e: WorkerEvent) => boolean } = {},
) {
  const clock = new FakeClock();
  const events: WorkerEvent[] = [];
  const made: ScriptedTransport[] = [];
  const contexts: ReconnectContext[] = [];
  const counts: Record<string, number> = {};
  const backoff = new BackoffReconnectPolicy({ maxAttempts: opts.maxAttempts ?? Infinity, random: () => 0.5 });
  const options = resolveOptions(
    { url: 'http://server.test', transports: opts.transports ?? ['websocket'], format: 'json', autoSwitch: false, heartbeatIntervalMs: 1000, heartbeatPongTimeoutMs: 500 },
    () => 'dev',
  );
  const session = new Session(options, {
    clock,
    codecs: { json: createJsonCodec(), protobuf: createJsProtobufCodec(), compressions: ['none'], compressor: () => null },
    createTransport: (kind) => {
      counts[kind] = (counts[kind] ?? 0) + 1;
      const t = new ScriptedTransport(kind, clock, script(kind, counts[kind]!));
      made.push(t);
      return t;
    },
    emit: (e) => {
      if (opts.emitFails?.(e)) throw new Error(`sink refused ${e.type}`);
      events.push(e);
    },
    racer: new Racer({ clock, prober: null }),
    reconnectPolicy: { nextRetryDelayInMs: (ctx) => (contexts.push(ctx), backoff.nextRetryDelayInMs(ctx)) },
    online: opts.online,
  });
  const states = () => events.filter((e): e is Extract<WorkerEvent, { type: 'state' }> => e.type === 'state').map((e) => `${e.to}:${e.code}`);
  return { clock, session, events, made, contexts, states };
}

const refused = () => ({ fail: new FlareError(ErrorCode.TRANSPORT_UNAVAILABLE, 'refused') });
const server = { server: {} };

describe('worker/session (fake clock, scripted transports)', () => {
  it('connects through the handshake and answers connect() once Connected', async () => {
    const s = setup(() => server);
    let done = false;
    void s.session.connect().then(() => (done = true));
    await advanceAsync(s.clock, 100);
    expect(done).to.equal(true);
    expect(s.states()).to.deep.equal(['connecting:connect_called', 'connected:handshake_complete']);
    const connected = s.events.find((e) => e.type === 'connected');
    expect(connected).to.deep.include({ transport: 'websocket', connectionId: 'c1', reconnected: false, format: 'json' });
  });

  it('retries a failing first connect with the backoff policy, then fails with retries_exhausted', async () => {
    const s = setup(() => refused(), { maxAttempts: 2 });
    let error: FlareError | null = null;
    void s.session.connect().catch((e) => (error = e));
    await advanceAsync(s.clock, 10_000);
    expect(s.states()).to.deep.equal(['connecting:connect_called', 'reconnecting:connect_failed', 'failed:retries_exhausted']);
    // Full jitter with random 0.5: half of 1 s, then half of 2 s.
    expect(s.contexts.map((c) => c.retryCount)).to.deep.equal([0, 1, 2]);
    expect(s.made).to.have.length(3);
    expect(error).to.be.instanceOf(FlareError);
    expect(error!.code).to.equal('transport_unavailable');
  });

  it('reconnects after the link drops and sends again what the server had not acknowledged', async () => {
    const s = setup((_, n) => (n === 1 ? { server: { ack: false } } : server));
    void s.session.connect();
    await advanceAsync(s.clock, 50);
    const receipt = s.session.send({ room: 'r', payload: new Uint8Array([7]) });
    await advanceAsync(s.clock, 10);
    const first = s.made[0]!;
    expect(first.received.map((f) => f.messageId)).to.include(receipt.id);
    first.drop(1006);
    await advanceAsync(s.clock, 2000);
    expect(s.states()).to.deep.equal([
      'connecting:connect_called',
      'connected:handshake_complete',
      'reconnecting:transport_closed',
      'connected:reconnected',
    ]);
    const second = s.made[1]!;
    expect(second.received.map((f) => f.messageId)).to.include(receipt.id);
    expect(s.events.filter((e) => e.type === 'acked').map((e) => (e as { id: string }).id)).to.deep.equal([receipt.id]);
  });

  it('finds a silent dead link by the heartbeat and reconnects', async () => {
    // The first server stops answering anything after the handshake.
    const s = setup((_, n) => (n === 1 ? { server: {}, rttMs: null } : server));
    void s.session.connect();
    await advanceAsync(s.clock, 50);
    s.made[0]!.handlers = { ...s.made[0]!.handlers!, frames: () => {} } as never; // swallow everything now
    await advanceAsync(s.clock, 10_000);
    expect(s.states()).to.include('reconnecting:heartbeat_timeout');
    expect(s.states().at(-1)).to.equal('connected:reconnected');
  });

  it('waits for the network while offline and retries at once on online', async () => {
    let online = true;
    const s = setup(() => server, { online: () => online });
    void s.session.connect();
    await advanceAsync(s.clock, 50);
    online = false;
    s.made[0]!.drop(1006);
    await advanceAsync(s.clock, 10_000); // offline: no attempt burns the budget
    expect(s.made).to.have.length(1);
    expect(s.states().at(-1)).to.equal('reconnecting:transport_closed');
    online = true;
    s.session.pageSignal('online');
    await advanceAsync(s.clock, 50);
    expect(s.contexts.at(-1)!.networkRestored).to.equal(true);
    expect(s.made).to.have.length(2);
    expect(s.states().at(-1)).to.equal('connected:reconnected');
  });

  it('honours the delay the server asks for at shutdown', async () => {
    const s = setup(() => server);
    void s.session.connect();
    await advanceAsync(s.clock, 50);
    s.made[0]!.push(systemFrame(SystemType.CLOSE, { message: 'going away', metadata: { reason: 'server_shutdown', reconnect_delay_ms: '4000' } }));
    s.made[0]!.drop(1001, 'going away');
    await advanceAsync(s.clock, 10);
    expect(s.states().at(-1)).to.equal('reconnecting:server_close');
    expect(s.contexts[0]!.serverRetryAfterMs).to.be.within(3900, 4000);
    await advanceAsync(s.clock, 3800);
    expect(s.made).to.have.length(1); // not before the server said
    await advanceAsync(s.clock, 1000);
    expect(s.states().at(-1)).to.equal('connected:reconnected');
  });

  it('stops for good on KICKED', async () => {
    const s = setup(() => server);
    void s.session.connect();
    await advanceAsync(s.clock, 50);
    s.made[0]!.push(systemFrame(SystemType.KICKED, { message: 'signed in elsewhere', metadata: { reason: 'device_conflict' } }));
    await advanceAsync(s.clock, 60_000);
    expect(s.states().at(-1)).to.equal('kicked:device_conflict');
    expect(s.made).to.have.length(1);
    expect(s.events.find((e) => e.type === 'kicked')).to.deep.equal({ type: 'kicked', reason: 'device_conflict', message: 'signed in elsewhere' });
  });

  it('refuses best-effort sends while disconnected but queues reliable ones', () => {
    const s = setup(() => server);
    expect(() => s.session.send({ payload: new Uint8Array(1), reliable: false })).to.throw(FlareError).with.property('code', 'not_connected');
    expect(s.session.send({ room: 'r' }).state).to.equal('queued');
    expect(s.session.stats().outboxSize).to.equal(1);
  });

  it('orders live room messages by seq, drops duplicates, and passes requested older history through', async () => {
    const s = setup(() => server);
    s.session.trackRoom('lobby', 10);
    void s.session.connect();
    await advanceAsync(s.clock, 50);
    const t = s.made[0]!;
    const msg = (id: string, seq: number, history = false) =>
      payloadFrame(PayloadType.MESSAGE, { seq, metadata: history ? { room: 'lobby', history: '1' } : { room: 'lobby' } }, { messageId: id });
    t.push(msg('m12', 12));
    t.push(msg('m11', 11));
    t.push(msg('m11', 11)); // a duplicate
    t.push(msg('old3', 3, true)); // room.history answer: older than the position
    await advanceAsync(s.clock, 10);
    const got = s.events.filter((e) => e.type === 'message').map((e) => (e as { message: { id: string } }).message.id);
    expect(got).to.deep.equal(['m11', 'm12', 'old3']);
    expect(s.session.stats().duplicatesDropped).to.equal(1);
  });

  it('drops a resume replay that overlaps what was already delivered (history at or below the position)', async () => {
    const s = setup(() => server);
    s.session.trackRoom('lobby', 10);
    void s.session.connect();
    await advanceAsync(s.clock, 50);
    const t = s.made[0]!;
    const msg = (id: string, seq: number, history = false) =>
      payloadFrame(PayloadType.MESSAGE, { seq, metadata: history ? { room: 'lobby', history: '1' } : { room: 'lobby' } }, { messageId: id });
    t.push(msg('m11', 11));
    t.push(msg('m12', 12));
    // A migration's new link replays from the position it sent in CONNECT (10) while the old link delivered 11 and 12.
    t.push(msg('m11', 11, true));
    t.push(msg('m12', 12, true));
    t.push(msg('m13', 13, true));
    t.push(msg('old3', 3, true));
    t.push(msg('old3', 3, true));
    await advanceAsync(s.clock, 10);
    const got = s.events.filter((e) => e.type === 'message').map((e) => (e as { message: { id: string } }).message.id);
    expect(got).to.deep.equal(['m11', 'm12', 'm13', 'old3']);
    expect(s.session.stats().duplicatesDropped).to.equal(3);
  });

  it('turns bad frames into error events and keeps the link (bad JSON, a frame that is no frame)', async () => {
    const s = setup(() => server);
    void s.session.connect();
    await advanceAsync(s.clock, 50);
    const t = s.made[0]!;
    t.handlers!.frames([new TextEncoder().encode('{"not": "a frame"'), new Uint8Array([0xff, 0x00]), new TextEncoder().encode('[]')]);
    t.push(payloadFrame(PayloadType.MESSAGE, { seq: 0 }, { messageId: 'after' }));
    await advanceAsync(s.clock, 10);
    const errors = s.events.filter((e): e is Extract<WorkerEvent, { type: 'error' }> => e.type === 'error');
    expect(errors.map((e) => e.error.code)).to.deep.equal(['malformed_frame', 'malformed_frame', 'malformed_frame']);
    expect(s.events.filter((e) => e.type === 'message').map((e) => (e as { message: { id: string } }).message.id)).to.deep.equal(['after']);
    expect(s.session.state).to.equal('connected');
  });

  it('a frame whose handling throws costs that frame only: an error event, the rest of the read goes on', async () => {
    let refuse = true;
    const s = setup(() => server, { emitFails: (e) => e.type === 'message' && (e.message.id === 'boom') && refuse });
    void s.session.connect();
    await advanceAsync(s.clock, 50);
    const t = s.made[0]!;
    const json = createJsonCodec();
    const frame = (id: string) => json.encode(payloadFrame(PayloadType.MESSAGE, { seq: 0 }, { messageId: id }));
    t.handlers!.frames([frame('a'), frame('boom'), frame('c')]);
    refuse = false;
    await advanceAsync(s.clock, 10);
    expect(s.events.filter((e) => e.type === 'message').map((e) => (e as { message: { id: string } }).message.id)).to.deep.equal(['a', 'c']);
    const errors = s.events.filter((e): e is Extract<WorkerEvent, { type: 'error' }> => e.type === 'error');
    expect(errors.map((e) => e.error.code)).to.deep.equal(['internal']);
    expect(errors[0]!.error.message).to.contain('sink refused message');
    expect(s.session.state).to.equal('connected');
  });

  it('reports frames the transport dropped, and why a stream was closed over a bad frame, then reconnects', async () => {
    const s = setup(() => server);
    void s.session.connect();
    await advanceAsync(s.clock, 50);
    const t = s.made[0]!;
    t.handlers!.dropped!(CodecError.tooLarge(20_000_000, 10_485_760));
    await advanceAsync(s.clock, 10);
    expect(s.session.state).to.equal('connected');
    t.handlers!.closed({ code: 4005, reason: 'frame too large', local: true, error: CodecError.tooLarge(0xffffffff, 10_485_760) });
    await advanceAsync(s.clock, 2000);
    const errors = s.events.filter((e): e is Extract<WorkerEvent, { type: 'error' }> => e.type === 'error');
    expect(errors.map((e) => e.error.code)).to.deep.equal(['frame_too_large', 'frame_too_large']);
    expect(s.states()).to.include('reconnecting:transport_closed');
    expect(s.states().at(-1)).to.equal('connected:reconnected');
  });
});
