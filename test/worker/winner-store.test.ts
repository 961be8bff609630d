import { expect } from 'chai';
import { openWinnerMemory } from '../../src/worker/winner-store.ts';

const DB = 'flare-transport-test';

describe('worker/winner-store (real IndexedDB)', () => {
  afterEach(async () => {
    await new Promise((r) => {
      const req = indexedDB.deleteDatabase(DB);
      req.onsuccess = req.onerror = req.onblocked = r;
    });
  });

  it('remembers the winner per server across "page loads"', async () => {
    const first = await openWinnerMemory(DB);
    expect(first.get('https://a')).to.equal(undefined);
    first.set('https://a', { kind: 'websocket', at: 123, scores: { websocket: 90 } });
    first.set('https://b', { kind: 'webtransport', at: 456, scores: {} });
    await new Promise((r) => setTimeout(r, 50)); // the write-through transaction commits
    const second = await openWinnerMemory(DB);
    expect(second.get('https://a')).to.deep.equal({ kind: 'websocket', at: 123, scores: { websocket: 90 } });
    expect(second.get('https://b')!.kind).to.equal('webtransport');
    expect(second.get('https://c')).to.equal(undefined);
  });
});
