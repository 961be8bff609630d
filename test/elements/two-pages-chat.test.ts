/**
 * <flare-chat> between two real pages: this test page (npm style, a FlareClient given as a property)
 * and a peer page in its own tab (script-tag style, `server-url`, `room` and `user` attributes), each
 * with its own FlareClient and connection worker, through the reference server. Checks presence on
 * both sides, messages both ways with text and sender, the delivery states each own message passes
 * through (watched on its signal) up to acked, and presence after the other tab closes.
 */
import { expect } from 'chai';
import '../../src/elements/flare-chat/define.ts';
import type { FlareChat } from '../../src/elements/flare-chat/flare-chat.ts';
import { closeClients, makeClient, needServer, uniqueUser } from '../sdk/client/helpers.ts';
import { closePages, openPeerPage } from '../pages/pages.ts';
import { bubbles, presence, sendAndTrack, until, waitBubble, waitChatConnected, waitPresence } from '../pages/probes.ts';

const ORDER = ['queued', 'sent', 'acked'];

/** The states went forward only, from queued to acked (sent in between when the SDK reports it). */
function expectDelivered(states: string[], what: string): void {
  const path = states.join(' -> ');
  expect(states[0], `${what}: ${path}`).to.equal('queued');
  expect(states[states.length - 1], `${what}: ${path}`).to.equal('acked');
  const ranks = states.map((s) => ORDER.indexOf(s));
  expect(ranks.every((r, i) => r >= 0 && (i === 0 || r > ranks[i - 1]!)), `${what}: ${path}`).to.equal(true);
}

describe('<flare-chat> between two pages', function () {
  this.timeout(60_000);
  before(needServer);
  const mounted: Element[] = [];
  afterEach(async () => {
    for (const el of mounted.splice(0)) el.remove();
    await closePages();
    await closeClients();
  });

  it('shows both users present, carries messages both ways with sender and delivery states, and sees the other tab leave', async () => {
    const room = uniqueUser('room');
    const bobId = uniqueUser('bob');
    const bob = await openPeerPage();
    await bob.call('mountChatTag', bobId, room);

    const alice = makeClient({ userId: uniqueUser('alice') });
    await alice.connect();
    const aliceId = alice.userId!;
    const a: FlareChat = document.createElement('flare-chat');
    a.client = alice;
    a.room = room;
    a.style.width = '560px';
    document.body.append(a);
    mounted.push(a);
    await waitChatConnected(a);

    // Presence: each page lists both users.
    expect(await waitPresence(a, [aliceId, bobId])).to.have.members([aliceId, bobId]);
    expect(await bob.call('waitPresence', [aliceId, bobId])).to.have.members([aliceId, bobId]);

    // Alice types and presses Enter; her message goes queued -> (sent ->) acked, and Bob's page shows it.
    const hello = await sendAndTrack(a, 'hello from page A');
    expectDelivered(hello.states, 'alice');
    expect(hello.rendered).to.equal('acked');
    const atBob = await bob.call('waitBubble', 'hello from page A');
    expect(atBob).to.include({ own: false, from: aliceId, author: aliceId, state: null });

    // Bob answers from his page, with markup that must stay text.
    const reply = '<img src=x onerror="window.__pwned=1"> hi back from page B';
    const back = await bob.call('sendAndTrack', reply);
    expectDelivered(back.states, 'bob');
    expect(back.rendered).to.equal('acked');
    const atAlice = await waitBubble(a, reply);
    expect(atAlice).to.include({ own: false, from: bobId, author: bobId, state: null });
    expect(a.shadowRoot!.querySelector('img')).to.equal(null);

    // Both pages have the same conversation, in the same order; each sees its own message as its own.
    const mine = (await bubbles(a)).map((b) => ({ text: b.text, from: b.from, own: b.own }));
    expect(mine).to.deep.equal([
      { text: 'hello from page A', from: aliceId, own: true },
      { text: reply, from: bobId, own: false },
    ]);
    const theirs = await bob.call('bubbles');
    expect(theirs.map((b) => ({ text: b.text, from: b.from, own: b.own }))).to.deep.equal([
      { text: 'hello from page A', from: aliceId, own: false },
      { text: reply, from: bobId, own: true },
    ]);
    expect(theirs[1]!.author).to.equal('You');
    expect(theirs[1]!.state).to.equal('acked');

    // Bob closes his tab: his connection goes with it, and Alice's presence list drops him.
    await closePages();
    await until(async () => !(await presence(a)).includes(bobId), 'bob to leave the presence list');
    expect(await presence(a)).to.deep.equal([aliceId]);
  });
});
