import { expect } from 'chai';
import { ErrorCode, FlareError, type PresenceMember, type StreamChunk } from '../../../src/sdk/index.ts';
import { closeClients, makeClient, needServer, uniqueUser, waitFor } from './helpers.ts';

const roundTrip = (c: ReturnType<typeof makeClient>) => c.request('echo', 0);

describe('FlareClient: streams', function () {
  this.timeout(30_000);
  before(needServer);
  afterEach(closeClients);

  it('echo stream: chunks come back in order with seq and the sender timestamps', async () => {
    const c = makeClient({ protocols: ['webtransport'] });
    await c.connect();
    const s = c.createStream('echo');
    await s.ready;
    const ts0 = 1_700_000_000_000_000;
    for (let i = 0; i < 10; i++) await s.send(new Uint8Array([i]), { ts: ts0 + i });
    await s.end();
    const got: StreamChunk[] = [];
    for await (const chunk of s) got.push(chunk);
    expect(got.map((g) => g.data[0])).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(got.map((g) => g.seq)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(got.map((g) => g.ts)).to.deep.equal(got.map((_, i) => ts0 + i));
  });

  it('backpressure: a reader that does not read stops the writer at the credit, reading resumes it', async () => {
    const c = makeClient({ protocols: ['websocket'] });
    await c.connect();
    const window = 4;
    const s = c.createStream('echo', { window });
    await s.ready;
    const serverWindow = s.credit; // what the server granted on open
    expect(serverWindow).to.be.greaterThan(0);
    const total = serverWindow * 3;
    let sent = 0;
    const writer = (async () => {
      for (let i = 0; i < total; i++) {
        await s.send(new Uint8Array([i & 255, i >> 8]));
        sent++;
      }
      await s.end();
    })();
    // Nobody reads: the server's echo can send `window` chunks back, then blocks and stops
    // consuming, so it grants no more credit: our writer stops at exactly the server's window.
    await waitFor(() => sent === serverWindow, 'the writer to use its credit');
    for (let i = 0; i < 3; i++) await roundTrip(c);
    expect(sent).to.equal(serverWindow);
    expect(s.credit).to.equal(0);
    expect(s.buffered).to.equal(window);
    // Reading grants credit; everything flows through, in order.
    const got: number[] = [];
    for await (const chunk of s) got.push(chunk.data[0]! | (chunk.data[1]! << 8));
    await writer;
    expect(got).to.deep.equal([...Array(total).keys()]);
  });

  it('sink stream: the server counts what arrived and emits sink.done', async () => {
    const c = makeClient();
    await c.connect();
    let done: { sid: string; count: number; bytes: number } | null = null;
    c.onEvent('sink.done', (b) => (done = b.json()));
    const s = c.createStream('sink', { window: 8 });
    for (let i = 0; i < 200; i++) await s.send(new Uint8Array(100));
    await s.end();
    await waitFor(() => done !== null, 'sink.done');
    expect(done).to.deep.equal({ sid: s.sid, count: 200, bytes: 20_000 });
  });

  it('an unknown stream is refused: ready and send reject with UNKNOWN_METHOD', async () => {
    const c = makeClient();
    await c.connect();
    const s = c.createStream('nope');
    const e = await s.ready.then(
      () => null,
      (x) => x as FlareError,
    );
    expect(e).to.be.instanceOf(FlareError);
    expect(e!.code).to.equal(ErrorCode.UNKNOWN_METHOD);
    const e2 = await s.send(new Uint8Array(1)).then(
      () => null,
      (x) => x as FlareError,
    );
    expect(e2!.code).to.equal(ErrorCode.UNKNOWN_METHOD);
  });

  it('reset() fails both sides with ABORTED', async () => {
    const c = makeClient();
    await c.connect();
    const s = c.createStream('echo');
    await s.ready;
    await s.reset('changed my mind');
    const e = await s.read().then(
      () => null,
      (x) => x as FlareError,
    );
    expect(e!.code).to.equal(ErrorCode.ABORTED);
  });
});

describe('FlareClient: rooms', function () {
  this.timeout(30_000);
  before(needServer);
  afterEach(closeClients);

  it('join, messages signal (own and others, in seq order), presence joins and leaves, leave', async () => {
    const name = `room-${uniqueUser()}`;
    const a = makeClient();
    const b = makeClient({ protocols: ['websocket'] });
    await Promise.all([a.connect(), b.connect()]);
    const ra = a.room(name);
    expect(a.room(name)).to.equal(ra);
    const ja = await ra.join({ presence: { mood: 'happy' } });
    expect(ja.members.map((m: PresenceMember) => m.userId)).to.deep.equal([a.userId]);
    expect(ja.members[0]!.state).to.deep.equal({ mood: 'happy' });
    expect(ra.joined.get()).to.equal(true);
    const rb = b.room(name);
    const jb = await rb.join();
    expect(jb.members.map((m) => m.userId).sort()).to.deep.equal([a.userId, b.userId].sort());
    await waitFor(() => ra.presence.get().some((m) => m.userId === b.userId), 'b in a presence');

    const s1 = await a.sendText({ room: name }, 'one');
    expect(ra.messages.get().map((m) => m.text())).to.deep.equal(['one']); // shown at once
    expect(ra.messages.get()[0]!.own).to.equal(true);
    await s1.delivered;
    const s2 = await b.sendText({ room: name }, 'two');
    await s2.delivered;
    await waitFor(() => ra.messages.get().length === 2 && rb.messages.get().length === 2, 'both messages in both rooms');
    expect(ra.messages.get().map((m) => m.text())).to.deep.equal(['one', 'two']);
    expect(rb.messages.get().map((m) => m.text())).to.deep.equal(['one', 'two']);
    expect(ra.messages.get().map((m) => m.seq)).to.deep.equal([s1.seq.get(), s2.seq.get()]);
    expect(s2.seq.get()).to.equal(s1.seq.get()! + 1);

    await rb.leave();
    expect(rb.joined.get()).to.equal(false);
    await waitFor(() => !ra.presence.get().some((m) => m.userId === b.userId), 'b gone from a presence');
    const s3 = await a.sendText({ room: name }, 'three');
    await s3.delivered;
    await roundTrip(b);
    expect(rb.messages.get().map((m) => m.text())).to.deep.equal(['one', 'two']);
  });

  it('a room message sent while the join is under way waits for it instead of being refused', async () => {
    const name = `early-${uniqueUser()}`;
    const a = makeClient();
    const b = makeClient();
    await Promise.all([a.connect(), b.connect()]);
    await b.room(name).join();
    const joined = a.room(name).join(); // not awaited
    const results = [await a.sendText({ room: name }, 'first'), await a.sendText({ room: name }, 'second')];
    expect(a.room(name).messages.get().map((m) => m.text())).to.deep.equal(['first', 'second']); // shown at once
    await joined;
    const seqs = await Promise.all(results.map((r) => r.delivered.then((d) => d.seq)));
    expect(results.map((r) => r.state.get())).to.deep.equal(['acked', 'acked']);
    expect(seqs[1]).to.equal(seqs[0]! + 1);
    await waitFor(() => b.room(name).messages.get().length === 2, 'both at b');
    expect(b.room(name).messages.get().map((m) => m.text())).to.deep.equal(['first', 'second']);
  });

  it('loadHistory(): older messages arrive in seq order before the newer ones', async () => {
    const name = `hist-${uniqueUser()}`;
    const a = makeClient();
    await a.connect();
    await a.room(name).join();
    for (let i = 1; i <= 8; i++) await (await a.sendText({ room: name }, `m${i}`)).delivered;
    const b = makeClient();
    await b.connect();
    const rb = b.room(name);
    const j = await rb.join();
    expect(j.seq).to.equal(8);
    await (await a.sendText({ room: name }, 'm9')).delivered;
    await waitFor(() => rb.messages.get().length === 1, 'the live message');
    const page1 = await rb.loadHistory({ limit: 3 });
    expect(page1.map((m) => m.text())).to.deep.equal(['m6', 'm7', 'm8']);
    expect(page1.every((m) => m.history)).to.equal(true);
    const page2 = await rb.loadHistory({ limit: 10 });
    expect(page2.map((m) => m.text())).to.deep.equal(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(rb.messages.get().map((m) => m.text())).to.deep.equal(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']);
    expect(await rb.loadHistory()).to.deep.equal([]);
  });
});
