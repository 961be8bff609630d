/**
 * Reconnects, seen from the SDK: the engine runs in this page behind a MessageChannel (the same
 * comlink API a Worker exposes) so the test can cut its transports like a dropped network.
 */
import { expect } from 'chai';
import * as Comlink from 'comlink';
import { ErrorCode, FlareError, type ClientEventMap } from '../../../src/sdk/index.ts';
import { linkOver, type WorkerLink } from '../../../src/sdk/worker-link.ts';
import { createEngine } from '../../../src/worker/engine.ts';
import { CuttableTransport } from '../../worker/helpers/cuttable-transport.ts';
import { closeClients, makeClient, needServer, uniqueUser, waitFor } from './helpers.ts';

function inPageWorker(): () => WorkerLink {
  return () => {
    const engine = createEngine({ wrapTransport: (t) => new CuttableTransport(t) });
    const { port1, port2 } = new MessageChannel();
    Comlink.expose(engine, port1);
    return linkOver(port2, false, () => {
      void engine.close();
      port1.close();
    });
  };
}

/** Whether `sub` appears in `list` in this order (not necessarily adjacent). */
const inOrder = (list: readonly string[], sub: readonly string[]) => {
  let i = 0;
  for (const x of list) if (x === sub[i]) i++;
  return i === sub.length;
};

const cutAll = () => {
  for (const t of [...CuttableTransport.live]) t.cut(500);
};

describe('FlareClient: reconnects and kicks', function () {
  this.timeout(60_000);
  before(needServer);
  afterEach(closeClients);

  it('signals and events follow a dropped connection and the automatic reconnect; requests in flight fail', async () => {
    const c = makeClient({ protocols: ['websocket'] }, { startWorker: inPageWorker() });
    const events: Array<keyof ClientEventMap> = [];
    for (const t of ['reconnecting', 'reconnected', 'connected', 'disconnected'] as const) c.on(t, () => events.push(t));
    const statuses: string[] = [];
    c.on('state', (e) => statuses.push(e.to));
    await c.connect();
    const firstId = c.state.connectionId.get();
    expect(c.state.stats.get()!.reconnects).to.equal(0);
    const inFlight = c.request('test.delay', { ms: 3000 });
    await c.request('echo', 0); // sent after it: the delayed request is on the wire
    cutAll();
    const err = await inFlight.then(
      () => null,
      (e) => e as FlareError,
    );
    expect(err).to.be.instanceOf(FlareError);
    expect(err!.code).to.equal(ErrorCode.TRANSPORT_CLOSED);
    await waitFor(() => c.state.status.get() === 'connected' && c.state.connectionId.get() !== firstId, 'the reconnect', 20_000);
    expect(inOrder(statuses, ['connecting', 'connected', 'reconnecting', 'connected']), statuses.join()).to.equal(true);
    expect(inOrder(events, ['connected', 'reconnecting', 'connected', 'reconnected']), events.join()).to.equal(true);
    expect(events).to.not.include('disconnected');
    await waitFor(() => c.state.stats.get()?.reconnects === 1, 'stats to show the reconnect');
    expect(c.state.protocol.get()).to.equal('websocket');
    expect(await c.request('echo', 'after')).to.equal('after');
  });

  it('a room keeps every message across the drop, in order (resume replay)', async () => {
    const room = `resume-${uniqueUser()}`;
    const a = makeClient({ protocols: ['websocket'] }, { startWorker: inPageWorker() });
    const b = makeClient();
    await Promise.all([a.connect(), b.connect()]);
    const ra = a.room(room);
    await ra.join();
    await b.room(room).join();
    await (await b.sendText({ room }, 'before')).delivered;
    await waitFor(() => ra.messages.get().length === 1, 'first message');
    cutAll();
    await waitFor(() => a.state.status.get() !== 'connected', 'the drop');
    for (const t of ['during 1', 'during 2', 'during 3']) await (await b.sendText({ room }, t)).delivered;
    const mine = await a.sendText({ room }, 'queued by a');
    await waitFor(() => a.state.status.get() === 'connected', 'the reconnect', 20_000);
    await mine.delivered;
    await (await b.sendText({ room }, 'after')).delivered;
    await waitFor(() => ra.messages.get().length === 6, 'all six messages', 15_000);
    const texts = ra.messages.get().map((m) => m.text());
    expect(texts.filter((t) => t !== 'queued by a')).to.deep.equal(['before', 'during 1', 'during 2', 'during 3', 'after']);
    const seqs = ra.messages.get().map((m) => m.seq);
    expect(seqs).to.deep.equal([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).to.equal(6);
  });

  it('a device conflict kicks the older connection: kicked event, kicked status, no reconnect', async () => {
    const user = uniqueUser('kick');
    const old = makeClient({ userId: user, conflictStrategy: 'exclusive', deviceId: 'dev-old' });
    await old.connect();
    const kicked: ClientEventMap['kicked'][] = [];
    old.on('kicked', (e) => kicked.push(e));
    const fresh = makeClient({ userId: user, conflictStrategy: 'exclusive', deviceId: 'dev-new' });
    await fresh.connect();
    await waitFor(() => old.state.status.get() === 'kicked', 'the kick');
    expect(kicked).to.have.length(1);
    expect(kicked[0]!.reason).to.equal('device_conflict');
    expect(old.state.lastChange.get()!.code).to.equal('device_conflict');
    expect(fresh.state.status.get()).to.equal('connected');
    const e = await old.request('echo', 1).then(
      () => null,
      (x) => x as FlareError,
    );
    expect(e!.code).to.equal(ErrorCode.NOT_CONNECTED);
  });
});
