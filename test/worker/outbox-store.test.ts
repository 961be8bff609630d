import { expect } from 'chai';
import { payloadFrame } from '../../src/codec/frames.ts';
import { PayloadType } from '../../src/codec/frame-types.ts';
import { metaText } from '../../src/codec/metadata.ts';
import { Outbox } from '../../src/worker/outbox.ts';
import { IdbOutboxStore } from '../../src/worker/outbox-store.ts';

const WALL = 1_700_000_000_000;
const DB = 'flare-outbox-test';

function frame(id: string, text: string) {
  return payloadFrame(
    PayloadType.MESSAGE,
    { payload: new TextEncoder().encode(text), metadata: { room: 'lobby' } },
    { messageId: id, metadata: { trace: 't-' + id } },
  );
}

describe('worker/outbox-store (real IndexedDB)', () => {
  const open: IdbOutboxStore[] = [];
  async function store(ns = 'srv|alice') {
    const s = await IdbOutboxStore.open(ns, { dbName: DB });
    open.push(s);
    return s;
  }

  beforeEach(async () => {
    await IdbOutboxStore.destroy(DB);
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    await IdbOutboxStore.destroy(DB);
  });

  it('survives a "reload": queued frames come back intact and in order in a new instance', async () => {
    const first = await store();
    const box = new Outbox({ store: first });
    box.enqueue(frame('a', 'hello'), WALL, { priority: 'low' });
    box.enqueue(frame('b', 'world'), WALL + 1, { ttlMs: 60_000, priority: 'high' });
    box.enqueue(frame('c', 'acked soon'), WALL + 2);
    box.takeSendable(0, WALL);
    box.ack('c');
    await first.flush();
    await first.close(); // the page goes away: its owner lock is released

    const second = await store();
    const restored = await second.claim();
    expect(restored.map((e) => e.id)).to.deep.equal(['a', 'b']);
    const b = restored[1]!;
    expect(b.priority).to.equal('high');
    expect(b.expiresAt).to.equal(WALL + 1 + 60_000);
    const cmd = b.frame.command!;
    expect(cmd.case).to.equal('payload');
    if (cmd.case === 'payload') {
      expect(new TextDecoder().decode(cmd.value.payload)).to.equal('world');
      expect(cmd.value.payload).to.be.instanceOf(Uint8Array);
      expect(metaText(cmd.value.metadata, 'room')).to.equal('lobby');
      expect(Object.getPrototypeOf(cmd.value.metadata)).to.equal(null);
    }
    expect(metaText(b.frame.metadata, 'trace')).to.equal('t-b');

    const box2 = new Outbox({ store: second });
    box2.restore(restored);
    expect(box2.takeSendable(0, WALL).map((e) => e.id)).to.deep.equal(['b', 'a']);
    // Claimed once: a third instance finds them owned by the live second one.
    const third = await store();
    expect(await third.claim()).to.deep.equal([]);
  });

  it('never claims the records of a tab that is still alive', async () => {
    const alive = await store();
    alive.put(new Outbox().enqueue(frame('x', 'mine'), WALL));
    await alive.flush();
    const other = await store();
    expect(await other.claim()).to.deep.equal([]);
    await alive.close();
    expect((await other.claim()).map((e) => e.id)).to.deep.equal(['x']);
  });

  it('coalesces a put followed by a delete in one burst into nothing, and keeps namespaces apart', async () => {
    const s = await store('srv|alice');
    const box = new Outbox({ store: s });
    box.enqueue(frame('gone', 'x'), WALL);
    box.takeSendable(0, WALL);
    box.ack('gone');
    box.enqueue(frame('kept', 'y'), WALL);
    await s.flush();
    const bob = await store('srv|bob');
    bob.put(new Outbox().enqueue(frame('bobs', 'z'), WALL));
    await bob.flush();
    await s.close();
    await bob.close();
    const again = await store('srv|alice');
    expect((await again.claim()).map((e) => e.id)).to.deep.equal(['kept']);
  });

  it('flushes on its own after the burst, without an explicit flush()', async () => {
    const s = await store();
    s.put(new Outbox().enqueue(frame('auto', 'q'), WALL));
    await new Promise((r) => setTimeout(r, 50));
    // Read the database directly while the store is still open and unflushed by hand.
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const req = indexedDB.open(DB);
      req.onsuccess = () => res(req.result);
      req.onerror = () => rej(req.error);
    });
    const rows = await new Promise<Array<{ id: string; owner: string }>>((res, rej) => {
      const req = db.transaction('entries').objectStore('entries').getAll();
      req.onsuccess = () => res(req.result);
      req.onerror = () => rej(req.error);
    });
    db.close();
    expect(rows.map((r) => [r.id, r.owner])).to.deep.equal([['auto', s.ownerId]]);
  });
});
