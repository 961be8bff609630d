import { expect } from 'chai';
import { Inbox } from '../../src/worker/inbox.ts';

describe('Inbox: history pages', () => {
  const item = (id: string, seq: number, history = false) => ({ id, stream: 'room', seq, value: id, history });

  it('delivers history frames older than the position once, without moving it', () => {
    const inbox = new Inbox<string>();
    expect(inbox.push(item('m9', 9), 0)).to.deep.equal(['m9']);
    expect(inbox.push(item('m6', 6, true), 0)).to.deep.equal(['m6']);
    expect(inbox.push(item('m7', 7, true), 0)).to.deep.equal(['m7']);
    expect(inbox.push(item('m6', 6, true), 0)).to.deep.equal([]); // the same page twice
    expect(inbox.positions()).to.deep.equal({ room: 9 });
    expect(inbox.push(item('m10', 10), 0)).to.deep.equal(['m10']);
  });

  it('still drops old live frames and orders a resume replay', () => {
    const inbox = new Inbox<string>();
    inbox.setPosition('room', 5);
    expect(inbox.push(item('old', 4), 0)).to.deep.equal([]); // not history: below the position is a duplicate
    expect(inbox.push(item('m7', 7, true), 0)).to.deep.equal([]); // ahead of its turn: waits
    expect(inbox.push(item('m6', 6, true), 0)).to.deep.equal(['m6', 'm7']);
    expect(inbox.positions()).to.deep.equal({ room: 7 });
  });
});
