/**
 * Delivery states over the real server: a reliable send goes queued -> sent -> acked, where `sent`
 * comes from the worker when its outbox hands the frame to the connection. The engine runs in this
 * page with its transports behind an OutgoingGate, so the test decides when the server sees a frame.
 */
import { expect } from 'chai';
import { ErrorCode, FlareError } from '../../../src/sdk/index.ts';
import { OutgoingGate, recordSignal } from './gated-transport.ts';
import { closeClients, makeClient, needServer, uniqueUser, waitFor } from './helpers.ts';

/** Whether `list` is a subsequence of `order` (every element of `list` appears in `order`, in that order). */
const inOrder = (list: readonly string[], order: readonly string[]) => {
  let i = 0;
  for (const x of list) {
    while (i < order.length && order[i] !== x) i++;
    if (i === order.length) return false;
  }
  return true;
};

describe('FlareClient: delivery states queued -> sent -> acked', function () {
  this.timeout(60_000);
  before(needServer);
  afterEach(closeClients);

  function gatedClient(gate: OutgoingGate, options: Parameters<typeof makeClient>[0] = {}) {
    return makeClient({ protocols: ['websocket'], compression: ['none'], autoSwitch: false, ...options }, { startWorker: gate.startWorker() });
  }

  it('queued while disconnected, sent once written to the connection, acked by the server, in order', async () => {
    const gate = new OutgoingGate();
    const bob = uniqueUser('bob');
    const a = gatedClient(gate);
    const b = makeClient({ userId: bob });
    await b.connect();
    const got: string[] = [];
    b.on('messageReceived', ({ message }) => got.push(message.text()));

    gate.hold('held-1');
    const r = await a.sendText(bob, 'held-1');
    const seen = recordSignal(() => r.state.get());
    // Not connected: it waits in the outbox.
    expect(r.state.get()).to.equal('queued');
    expect(a.state.status.get()).to.not.equal('connected');

    await a.connect();
    // The outbox hands it to the connection; the gate keeps it from the server, so no ACK can come.
    await waitFor(() => r.state.get() === 'sent', 'sent');
    expect(gate.held).to.be.greaterThan(0);
    expect(await b.request('echo', 'sync')).to.equal('sync');
    expect(got).to.deep.equal([]);
    expect(r.state.get()).to.equal('sent');

    gate.release();
    await r.delivered;
    expect(r.state.get()).to.equal('acked');
    await waitFor(() => got.includes('held-1'), 'bob receives');
    seen.stop();
    expect(seen.values).to.deep.equal(['queued', 'sent', 'acked']);
  });

  it('a message on a lost connection goes back to queued and through sent again at the resend', async () => {
    const gate = new OutgoingGate();
    const bob = uniqueUser('bob');
    const a = gatedClient(gate);
    const b = makeClient({ userId: bob });
    await Promise.all([a.connect(), b.connect()]);
    const got: string[] = [];
    b.on('messageReceived', ({ message }) => got.push(message.text()));

    gate.hold('held-2');
    const r = await a.sendText(bob, 'held-2');
    const seen = recordSignal(() => r.state.get());
    await waitFor(() => r.state.get() === 'sent', 'sent');
    const firstId = a.state.connectionId.get();
    gate.cut();
    await waitFor(() => seen.values.includes('queued'), 'queued again after the drop');
    // The reconnect resends it; the gate holds it again.
    await waitFor(() => a.state.status.get() === 'connected' && a.state.connectionId.get() !== firstId, 'the reconnect', 20_000);
    await waitFor(() => r.state.get() === 'sent' && gate.held > 0, 'sent again');
    gate.release();
    await r.delivered;
    await waitFor(() => got.includes('held-2'), 'bob receives');
    seen.stop();
    expect(seen.values).to.deep.equal(['sent', 'queued', 'sent', 'acked']);
    expect(got.filter((t) => t === 'held-2')).to.have.length(1);
  });

  it('fails with MESSAGE_EXPIRED when not ACKed within the retry budget; sending again delivers', async () => {
    const gate = new OutgoingGate();
    const bob = uniqueUser('bob');
    // Resent every 150 ms, given up after 2 attempts (TTL 300 ms).
    const a = gatedClient(gate, { messageRetry: { maxRetries: 1, retryDelayMs: 150 } });
    const b = makeClient({ userId: bob });
    await Promise.all([a.connect(), b.connect()]);
    const got: string[] = [];
    b.on('messageReceived', ({ message }) => got.push(message.text()));
    const failed: string[] = [];
    a.on('messageFailed', ({ id }) => failed.push(id));

    gate.hold('held-3');
    const r = await a.sendText(bob, 'held-3');
    const seen = recordSignal(() => r.state.get());
    const error = await r.delivered.then(
      () => null,
      (e: unknown) => e,
    );
    seen.stop();
    expect(error).to.be.instanceOf(FlareError).with.property('code', ErrorCode.MESSAGE_EXPIRED);
    expect(r.state.get()).to.equal('failed');
    expect(r.error.get()).to.equal(error);
    expect(failed).to.deep.equal([r.id]);
    // Forward only (a loaded machine may run the steps in fewer tasks than there are states).
    expect(inOrder(seen.values, ['queued', 'sent', 'failed']), seen.values.join()).to.equal(true);
    expect(seen.values.at(-1)).to.equal('failed');
    expect(gate.held).to.be.greaterThan(0); // it did go out: written to the connection, then expired unacknowledged

    gate.release(); // the held copies are late now: the server takes them, the client ignores their ACK
    const again = await a.sendText(bob, 'held-3 again');
    await again.delivered;
    expect(again.state.get()).to.equal('acked');
    expect(r.state.get()).to.equal('failed');
    await waitFor(() => got.includes('held-3 again'), 'bob receives the retry');
  });

  it('a failed message sent again under its own id reaches the other side once, with one seq', async () => {
    const gate = new OutgoingGate();
    const bob = uniqueUser('bob');
    const a = gatedClient(gate, { messageRetry: { maxRetries: 1, retryDelayMs: 150 } });
    const b = makeClient({ userId: bob });
    await Promise.all([a.connect(), b.connect()]);
    const got: Array<{ text: string; id: string; seq: number }> = [];
    b.on('messageReceived', ({ message }) => got.push({ text: message.text(), id: message.id, seq: message.seq }));

    gate.hold('held-4');
    const r = await a.sendText(bob, 'held-4');
    await r.delivered.catch(() => {});
    expect(r.state.get()).to.equal('failed');
    // The copies written before it expired reach the server late: it stores and delivers one.
    gate.release();
    await waitFor(() => got.length > 0, 'bob receives the late copy');

    const again = await a.sendText(bob, 'held-4', { id: r.id });
    expect(again.id).to.equal(r.id);
    const acked = await again.delivered;
    expect(again.state.get()).to.equal('acked');
    expect(acked.seq).to.equal(got[0]!.seq); // the stored copy's seq, not a new one
    expect(await b.request('echo', 'sync')).to.equal('sync');
    expect(got).to.deep.equal([{ text: 'held-4', id: r.id, seq: acked.seq }]);
  });

  it('refuses an id that is still being sent, and an empty one', async () => {
    const gate = new OutgoingGate();
    const a = gatedClient(gate);
    await a.connect();
    gate.hold('held-5');
    const r = await a.sendText(uniqueUser('bob'), 'held-5');
    for (const id of [r.id, '']) {
      const e = await a.sendText(uniqueUser('bob'), 'dup', { id }).then(
        () => null,
        (x: unknown) => x,
      );
      expect(e).to.be.instanceOf(FlareError).with.property('code', ErrorCode.INVALID_ARGUMENT);
    }
    expect(r.state.get()).to.be.oneOf(['queued', 'sent']);
    gate.release();
    await r.delivered;
  });
});
