import { expect } from 'chai';
import { Inbox, type InboxGap } from '../../src/worker/inbox.ts';

function item(id: string, stream: string | null, seq: number) {
  return { id, stream, seq, value: id };
}

describe('worker/inbox', () => {
  it('delivers each message id once', () => {
    const inbox = new Inbox<string>();
    expect(inbox.push(item('a', null, 0), 0)).to.deep.equal(['a']);
    expect(inbox.push(item('a', null, 0), 0)).to.deep.equal([]);
    expect(inbox.push(item('b', 'room', 1), 0)).to.deep.equal(['b']);
    expect(inbox.push(item('b', 'room', 1), 0)).to.deep.equal([]);
    expect(inbox.duplicates).to.equal(2);
  });

  it('bounds the de-duplication memory (LRU by arrival)', () => {
    const inbox = new Inbox<string>({ dedupeCapacity: 3 });
    for (const id of ['a', 'b', 'c', 'd']) inbox.push(item(id, null, 0), 0);
    expect(inbox.push(item('a', null, 0), 0)).to.deep.equal(['a']); // forgotten, so accepted again
    expect(inbox.push(item('d', null, 0), 0)).to.deep.equal([]);
  });

  it('keeps exactly the last ids over many turns of its memory', () => {
    const inbox = new Inbox<string>({ dedupeCapacity: 3 });
    for (let i = 1; i <= 10; i++) inbox.push(item(`m${i}`, null, 0), 0);
    for (const id of ['m8', 'm9', 'm10']) expect(inbox.push(item(id, null, 0), 0)).to.deep.equal([]);
    expect(inbox.push(item('m7', null, 0), 0)).to.deep.equal(['m7']); // remembered again, m8 forgotten
    expect(inbox.push(item('m8', null, 0), 0)).to.deep.equal(['m8']); // m9 forgotten
    expect(inbox.push(item('m10', null, 0), 0)).to.deep.equal([]);
    expect(inbox.push(item('m9', null, 0), 0)).to.deep.equal(['m9']); // m10 forgotten
    expect(inbox.push(item('m10', null, 0), 0)).to.deep.equal(['m10']);
    expect(inbox.push(item('m9', null, 0), 0)).to.deep.equal([]);
    expect(inbox.duplicates).to.equal(5);
  });

  it('holds frames ahead of their turn and releases them in order when the gap fills', () => {
    const gaps: InboxGap[] = [];
    const inbox = new Inbox<string>({ onGap: (g) => gaps.push(g) });
    inbox.setPosition('lobby', 10);
    expect(inbox.push(item('m13', 'lobby', 13), 0)).to.deep.equal([]);
    expect(inbox.push(item('m12', 'lobby', 12), 0)).to.deep.equal([]);
    expect(gaps).to.deep.equal([{ stream: 'lobby', from: 11, to: 12, state: 'open' }]);
    expect(inbox.push(item('m11', 'lobby', 11), 0)).to.deep.equal(['m11', 'm12', 'm13']);
    expect(inbox.positions()).to.deep.equal({ lobby: 13 });
    expect(inbox.nextWakeAt()).to.equal(null);
  });

  it('drops replayed frames at or below the resume position even with new ids', () => {
    const inbox = new Inbox<string>();
    inbox.setPosition('r', 5);
    expect(inbox.push(item('x', 'r', 5), 0)).to.deep.equal([]);
    expect(inbox.push(item('y', 'r', 6), 0)).to.deep.equal(['y']);
  });

  it('keeps streams independent', () => {
    const inbox = new Inbox<string>();
    inbox.setPosition('a', 0);
    inbox.setPosition('b', 0);
    expect(inbox.push(item('a2', 'a', 2), 0)).to.deep.equal([]);
    expect(inbox.push(item('b1', 'b', 1), 0)).to.deep.equal(['b1']);
    expect(inbox.push(item('a1', 'a', 1), 0)).to.deep.equal(['a1', 'a2']);
    expect(inbox.positions()).to.deep.equal({ a: 2, b: 1 });
  });

  it('takes the first frame of an unknown stream as the baseline', () => {
    const inbox = new Inbox<string>();
    expect(inbox.push(item('m40', 'new', 40), 0)).to.deep.equal(['m40']);
    expect(inbox.push(item('m41', 'new', 41), 0)).to.deep.equal(['m41']);
  });

  it('gives up on a gap after gapTimeoutMs and releases what waited, reporting it skipped', () => {
    const gaps: InboxGap[] = [];
    const inbox = new Inbox<string>({ gapTimeoutMs: 1000, onGap: (g) => gaps.push(g) });
    inbox.setPosition('r', 0);
    inbox.push(item('m3', 'r', 3), 100);
    inbox.push(item('m6', 'r', 6), 200);
    expect(inbox.nextWakeAt()).to.equal(1100);
    expect(inbox.expireGaps(1099)).to.deep.equal([]);
    expect(inbox.expireGaps(1100)).to.deep.equal(['m3', 'm6']);
    expect(gaps.filter((g) => g.state === 'skipped')).to.deep.equal([
      { stream: 'r', from: 1, to: 2, state: 'skipped' },
      { stream: 'r', from: 4, to: 5, state: 'skipped' },
    ]);
    // A late frame of a skipped gap is not delivered out of order afterwards.
    expect(inbox.push(item('m2', 'r', 2), 2000)).to.deep.equal([]);
    expect(inbox.push(item('m7', 'r', 7), 2000)).to.deep.equal(['m7']);
  });

  it('skips instead of buffering without bound', () => {
    const inbox = new Inbox<string>({ maxBuffered: 3 });
    inbox.setPosition('r', 0);
    for (const s of [2, 3, 4]) expect(inbox.push(item(`m${s}`, 'r', s), 0)).to.deep.equal([]);
    expect(inbox.push(item('m5', 'r', 5), 0)).to.deep.equal(['m2', 'm3', 'm4', 'm5']);
  });

  it('re-opens the gap clock when a fill leaves another hole', () => {
    const gaps: InboxGap[] = [];
    const inbox = new Inbox<string>({ gapTimeoutMs: 1000, onGap: (g) => gaps.push(g) });
    inbox.setPosition('r', 0);
    inbox.push(item('m2', 'r', 2), 0);
    inbox.push(item('m5', 'r', 5), 0);
    expect(inbox.push(item('m1', 'r', 1), 500)).to.deep.equal(['m1', 'm2']);
    expect(gaps.at(-1)).to.deep.equal({ stream: 'r', from: 3, to: 4, state: 'open' });
    expect(inbox.nextWakeAt()).to.equal(1500);
    inbox.forget('r');
    expect(inbox.nextWakeAt()).to.equal(null);
  });

  it('consumes the seq of a resend stored twice under a new seq, without delivering it or opening a gap', () => {
    const gaps: InboxGap[] = [];
    const inbox = new Inbox<string>({ onGap: (g) => gaps.push(g) });
    inbox.setPosition('r', 0);
    expect(inbox.push(item('a', 'r', 1), 0)).to.deep.equal(['a']);
    expect(inbox.push(item('b', 'r', 3), 0)).to.deep.equal([]);
    expect(inbox.push(item('a', 'r', 2), 0)).to.deep.equal(['b']); // 'a' again as seq 2
    expect(inbox.push(item('c', 'r', 4), 0)).to.deep.equal(['c']);
    expect(inbox.duplicates).to.equal(1);
    expect(inbox.nextWakeAt()).to.equal(null);
    expect(inbox.positions()).to.deep.equal({ r: 4 });
  });
});
