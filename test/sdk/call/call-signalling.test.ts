import { expect } from 'chai';
import { CallSignalling, type CallSignallingEvents } from '../../../src/sdk/call/call-signalling.ts';
import { CallStateManager } from '../../../src/sdk/call/call-state-manager.ts';
import { CallTimeoutManager } from '../../../src/sdk/call/call-timeout-manager.ts';
import { CallStatus } from '../../../src/sdk/call/call-types.ts';
import { FailCode } from '../../../src/sdk/call/call-codes.ts';
import { FakeTimers } from './fake-timers.ts';
import { SignalBus } from './signal-bus.ts';

interface Party {
  id: string;
  state: CallStateManager;
  calls: CallSignalling;
  events: Array<[keyof CallSignallingEvents, unknown]>;
}

describe('CallSignalling (ring, accept, decline, busy, cancel, hang up, no answer)', () => {
  let timers: FakeTimers;
  let bus: SignalBus;
  let seq = 0;

  function party(id: string, durations: { 'no-answer'?: number; ringing?: number } = {}): Party {
    const state = new CallStateManager({ timers });
    const calls = new CallSignalling({
      selfId: id,
      signaller: bus.signaller(id),
      state,
      timeouts: new CallTimeoutManager({ timers, durations }),
      newCallId: () => `call-${++seq}`,
    });
    const events: Party['events'] = [];
    for (const type of ['incoming', 'accepted', 'ended', 'rejected-busy'] as const) calls.on(type, (e) => events.push([type, e]));
    return { id, state, calls, events };
  }

  const code = (p: Party) => p.state.lastTransition.get()?.code;
  const status = (p: Party) => p.state.status.get();

  beforeEach(() => {
    timers = new FakeTimers();
    bus = new SignalBus();
  });

  it('rings, is accepted and is hung up on both sides', async () => {
    const alice = party('alice');
    const bob = party('bob');
    const callId = alice.calls.call('bob', { media: { audio: true, video: false } });
    expect(status(alice)).to.equal(CallStatus.Calling);
    expect(alice.calls.current.get()).to.include({ callId, peerId: 'bob', direction: 'outgoing' });
    await bus.flushed();
    expect(status(bob)).to.equal(CallStatus.Ringing);
    expect(bob.events[0]).to.deep.equal(['incoming', { callId, peerId: 'alice', direction: 'incoming', media: { audio: true, video: false }, engine: 'webrtc' }]);
    expect(bob.state.participants.get().get('alice')).to.include({ videoEnabled: false });

    bob.calls.accept();
    expect(status(bob)).to.equal(CallStatus.InCall);
    await bus.flushed();
    expect(status(alice)).to.equal(CallStatus.InCall);
    expect(alice.events.map((e) => e[0])).to.deep.equal(['accepted']);
    // The no-answer timeout was cleared by the answer.
    await timers.advance(60_000);
    expect(status(alice)).to.equal(CallStatus.InCall);

    alice.calls.hangup();
    expect([status(alice), code(alice)]).to.deep.equal(['ended', 'local-hangup']);
    await bus.flushed();
    expect([status(bob), code(bob)]).to.deep.equal(['ended', 'remote-hangup']);
    expect(bob.events.at(-1)![0]).to.equal('ended');
    expect(alice.calls.current.get()).to.equal(null);
    expect(bus.sent('hangup')).to.have.length(1);
  });

  it('declines', async () => {
    const alice = party('alice');
    const bob = party('bob');
    alice.calls.call('bob');
    await bus.flushed();
    bob.calls.decline();
    await bus.flushed();
    expect([status(bob), code(bob)]).to.deep.equal(['ended', 'declined']);
    expect([status(alice), code(alice)]).to.deep.equal(['ended', 'remote-declined']);
  });

  it('answers busy to a second caller and keeps the first call', async () => {
    const alice = party('alice');
    const bob = party('bob');
    const carol = party('carol');
    alice.calls.call('bob');
    await bus.flushed();
    bob.calls.accept();
    await bus.flushed();
    carol.calls.call('bob');
    await bus.flushed();
    expect([status(carol), code(carol)]).to.deep.equal(['ended', 'busy']);
    expect(status(bob)).to.equal(CallStatus.InCall);
    expect(bob.calls.current.get()!.peerId).to.equal('alice');
    expect(bob.events.at(-1)![0]).to.equal('rejected-busy');
    expect(() => bob.calls.call('carol')).to.throw(/already active/);
  });

  it('cancels before the answer', async () => {
    const alice = party('alice');
    const bob = party('bob');
    alice.calls.call('bob');
    await bus.flushed();
    alice.calls.hangup();
    await bus.flushed();
    expect([status(alice), code(alice)]).to.deep.equal(['ended', 'cancelled']);
    expect([status(bob), code(bob)]).to.deep.equal(['ended', 'remote-cancelled']);
    // A late accept does nothing.
    bob.calls.accept();
    await bus.flushed();
    expect(status(alice)).to.equal(CallStatus.Ended);
  });

  it('fails with no-answer after 30 s on the caller side and cancels the ringing', async () => {
    const alice = party('alice');
    const bob = party('bob', { ringing: 120_000 });
    alice.calls.call('bob');
    await bus.flushed();
    await timers.advance(29_999);
    expect(status(alice)).to.equal(CallStatus.Calling);
    await timers.advance(1);
    expect([status(alice), code(alice)]).to.deep.equal(['failed', FailCode.NO_ANSWER]);
    await bus.flushed();
    expect([status(bob), code(bob)]).to.deep.equal(['ended', 'remote-cancelled']);
  });

  it("ends the callee's ringing as missed and tells the caller it was not answered", async () => {
    const alice = party('alice', { 'no-answer': 120_000 });
    const bob = party('bob', { ringing: 20_000 });
    alice.calls.call('bob');
    await bus.flushed();
    await timers.advance(20_000);
    expect([status(bob), code(bob)]).to.deep.equal(['ended', 'missed']);
    await bus.flushed();
    expect([status(alice), code(alice)]).to.deep.equal(['failed', 'no-answer']);
    expect(timers.pendingCount).to.equal(0);
  });

  it('closes the call towards the peer when it fails for a media reason', async () => {
    const alice = party('alice');
    const bob = party('bob');
    alice.calls.call('bob');
    await bus.flushed();
    bob.calls.accept();
    await bus.flushed();
    alice.state.setState(CallStatus.Failed, { code: FailCode.MEDIA_FAILED });
    await bus.flushed();
    expect([status(bob), code(bob)]).to.deep.equal(['ended', 'remote-hangup']);
    const [type, ended] = alice.events.at(-1)!;
    expect(type).to.equal('ended');
    expect(ended).to.include({ status: 'failed', code: 'media-failed', peerId: 'bob' });
    expect(bus.sent('hangup').map((e) => e.from)).to.deep.equal(['alice']);
  });

  it('ignores signals of other calls and other senders', async () => {
    const alice = party('alice');
    const bob = party('bob');
    alice.calls.call('bob');
    await bus.flushed();
    const mallory = bus.signaller('mallory');
    mallory.send('alice', { type: 'accept', callId: alice.calls.current.get()!.callId });
    mallory.send('bob', { type: 'cancel', callId: alice.calls.current.get()!.callId });
    bus.signaller('bob').send('alice', { type: 'accept', callId: 'another-call' });
    await bus.flushed();
    expect(status(alice)).to.equal(CallStatus.Calling);
    expect(status(bob)).to.equal(CallStatus.Ringing);
  });
});
