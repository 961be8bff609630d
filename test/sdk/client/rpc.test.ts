import { expect } from 'chai';
import { ErrorCode, FlareError } from '../../../src/sdk/index.ts';
import { closeClients, makeClient, needServer, waitFor } from './helpers.ts';

const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e) => e as FlareError,
  );

describe('FlareClient: RPC, events and middleware', function () {
  this.timeout(30_000);
  before(needServer);
  afterEach(closeClients);

  it('request(): JSON, text and bytes answers', async () => {
    const c = makeClient();
    await c.connect();
    expect(await c.request('echo', { a: [1, 'two'] })).to.deep.equal({ a: [1, 'two'] });
    expect(await c.request('echo', 'plain', { responseType: 'text' })).to.equal('"plain"');
    const bytes = await c.request<Uint8Array>('echo', new Uint8Array([0, 255, 7]), { responseType: 'bytes' });
    expect([...bytes]).to.deep.equal([0, 255, 7]);
    const t = await c.request<{ now: number }>('time');
    expect(t.now).to.be.a('number');
    expect(c.state.status.get()).to.equal('connected');
  });

  it('remote errors keep their code: unknown_method, invalid_argument, a custom code', async () => {
    const c = makeClient();
    await c.connect();
    const unknown = await failure(c.request('no.such.method'));
    expect(unknown).to.be.instanceOf(FlareError);
    expect(unknown!.code).to.equal(ErrorCode.UNKNOWN_METHOD);
    expect(unknown!.message).to.contain('unknown action: no.such.method');
    const invalid = await failure(c.request('room.join', { room: 5 }));
    expect(invalid!.code).to.equal(ErrorCode.INVALID_ARGUMENT);
    const custom = await failure(c.request('test.fail', { code: ErrorCode.RATE_LIMITED, message: 'slow down' }));
    expect(custom!.code).to.equal(ErrorCode.RATE_LIMITED);
    expect(custom!.message).to.equal('slow down');
    const other = await failure(c.request('test.fail', { code: 'teapot', message: 'short and stout' }));
    expect(other!.code).to.equal(ErrorCode.REMOTE_ERROR);
    expect(other!.details).to.include({ remoteCode: 'teapot', method: 'test.fail' });
  });

  it('times out with REQUEST_TIMEOUT and ignores the late answer', async () => {
    const c = makeClient();
    await c.connect();
    const e = await failure(c.request('test.delay', { ms: 1500, value: 1 }, { timeout: 100 }));
    expect(e!.code).to.equal(ErrorCode.REQUEST_TIMEOUT);
    // the late answer arrives and changes nothing; the next request works
    expect(await c.request('test.delay', { ms: 1600, value: 2 })).to.deep.equal({ value: 2 });
  });

  it('aborts with ABORTED, before sending and in flight', async () => {
    const c = makeClient();
    await c.connect();
    const early = new AbortController();
    early.abort(new Error('not wanted'));
    const e1 = await failure(c.request('echo', 1, { signal: early.signal }));
    expect(e1!.code).to.equal(ErrorCode.ABORTED);
    const late = new AbortController();
    const p = c.request('test.delay', { ms: 1000 }, { signal: late.signal });
    late.abort();
    const e2 = await failure(p);
    expect(e2!.code).to.equal(ErrorCode.ABORTED);
  });

  it('fails fast with NOT_CONNECTED before connect', async () => {
    const c = makeClient();
    const e = await failure(c.request('echo', 1));
    expect(e!.code).to.equal(ErrorCode.NOT_CONNECTED);
  });

  it('emit() and onEvent(): the server echoes events and emits its own', async () => {
    const c = makeClient();
    await c.connect();
    const got: Array<{ event: string; body: unknown }> = [];
    c.onEvent('echo', (b, ctx) => got.push({ event: ctx.event, body: b.json() }));
    const off = c.onEvent('hello', (b, ctx) => got.push({ event: ctx.event, body: b.text() }));
    await c.emit('echo', { ping: 1 });
    await c.request('test.emit_me', { event: 'hello', body: 'world' });
    await waitFor(() => got.length >= 2, 'two events');
    expect(got).to.deep.include({ event: 'echo', body: { ping: 1 } });
    expect(got).to.deep.include({ event: 'hello', body: 'world' });
    off();
    await c.request('test.emit_me', { event: 'hello', body: 'again' });
    await c.request('echo', 0); // the event was sent before this answer
    expect(got.filter((g) => g.event === 'hello')).to.have.length(1);
  });

  it('handle(): answers requests the server makes; unknown methods and handler errors go back as errors', async () => {
    const c = makeClient();
    await c.connect();
    c.handle('client.add', (b) => {
      const { a, b: x } = b.json<{ a: number; b: number }>();
      return a + x;
    });
    c.handle('client.boom', () => {
      throw new FlareError(ErrorCode.INVALID_STATE, 'not now');
    });
    expect(await c.request('test.call_me', { method: 'client.add', body: { a: 2, b: 40 } })).to.deep.equal({ answer: '42' });
    const unknown = await failure(c.request('test.call_me', { method: 'client.nothing' }));
    expect(unknown!.code).to.equal(ErrorCode.REMOTE_ERROR);
    expect(unknown!.message).to.contain('unknown action: client.nothing');
    const boom = await failure(c.request('test.call_me', { method: 'client.boom' }));
    expect(boom!.message).to.contain('not now');
  });

  it('middleware: outgoing stamps metadata and can drop; incoming sees and can drop frames', async () => {
    const bob = `mw-bob-${Date.now()}`;
    const a = makeClient();
    const b = makeClient({ userId: bob });
    await Promise.all([a.connect(), b.connect()]);
    const outgoing: string[] = [];
    a.use({
      name: 'stamp',
      async outgoing(f) {
        outgoing.push(f.name ?? `payload:${f.metadata?.msg_type}`);
        if (f.metadata?.msg_type === 'secret') return null;
        return { ...f, metadata: { ...f.metadata, trace: 't-1' } };
      },
    });
    const incoming: string[] = [];
    b.use({
      name: 'filter',
      incoming(f) {
        incoming.push(f.metadata.msg_type ?? f.name);
        return f.metadata.msg_type === 'spam' ? null : f;
      },
    });
    const got: Array<{ type: string; trace?: string }> = [];
    b.on('messageReceived', ({ message }) => got.push({ type: message.type, trace: message.metadata.trace }));
    await (await a.sendText(bob, 'hi')).delivered;
    await (await a.sendMessage(bob, { type: 'spam', data: 1 })).delivered;
    const dropped = await failure(a.sendMessage(bob, { type: 'secret', data: 1 }));
    expect(dropped!.code).to.equal(ErrorCode.ABORTED);
    expect(await a.request('echo', 3)).to.equal(3);
    await waitFor(() => incoming.includes('spam'), 'spam seen by incoming middleware');
    expect(got).to.deep.equal([{ type: 'text', trace: 't-1' }]);
    expect(outgoing).to.include.members(['payload:text', 'payload:spam', 'payload:secret', 'flare.rpc.req']);
  });
});
