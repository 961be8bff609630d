import { expect } from 'chai';
import { Signal } from '@lit-labs/signals';
import { CallStateManager, canTransition, type CallTransition } from '../../../src/sdk/call/call-state-manager.ts';
import { CallStatus, PageStatus } from '../../../src/sdk/call/call-types.ts';
import { ConnectCode, EndCode, StartCode } from '../../../src/sdk/call/call-codes.ts';
import { FakeTimers } from './fake-timers.ts';

describe('CallStateManager', () => {
  it('moves through a call with a code and reason on every transition', async () => {
    const timers = new FakeTimers();
    const state = new CallStateManager({ timers });
    const seen: CallTransition[] = [];
    state.onTransition((t) => seen.push(t));
    expect(state.status.get()).to.equal(CallStatus.Idle);
    expect(state.isActive.get()).to.equal(false);

    expect(state.setState(CallStatus.Calling, { code: StartCode.OUTGOING, reason: 'calling bob' })).to.equal(true);
    expect(state.isActive.get()).to.equal(true);
    await timers.advance(1500);
    expect(state.setState(CallStatus.InCall, { code: ConnectCode.ACCEPTED })).to.equal(true);
    expect(state.setState(CallStatus.Ended, { code: EndCode.REMOTE_HANGUP })).to.equal(true);
    expect(state.status.get()).to.equal(CallStatus.Ended);
    expect(state.isActive.get()).to.equal(false);
    expect(seen.map((t) => [t.from, t.to, t.code])).to.deep.equal([
      ['idle', 'calling', 'outgoing'],
      ['calling', 'in-call', 'accepted'],
      ['in-call', 'ended', 'remote-hangup'],
    ]);
    expect(seen[0]!.reason).to.equal('calling bob');
    expect(seen[1]!.reason).to.equal('accepted');
    expect(seen[1]!.at).to.equal(1500);
    expect(state.lastTransition.get()).to.deep.equal(seen[2]);
  });

  it('refuses transitions the call cannot make and leaves the state alone', () => {
    const state = new CallStateManager();
    expect(state.setState(CallStatus.InCall, { code: ConnectCode.ACCEPTED })).to.equal(false);
    expect(state.setState(CallStatus.Reconnecting, { code: 'connection-lost' })).to.equal(false);
    expect(state.status.get()).to.equal(CallStatus.Idle);
    expect(state.lastTransition.get()).to.equal(null);
    expect(canTransition(CallStatus.Ended, CallStatus.InCall)).to.equal(false);
    expect(canTransition(CallStatus.Ended, CallStatus.Calling)).to.equal(true);
  });

  it('exposes read-only signals that computed values and watchers follow', () => {
    const state = new CallStateManager();
    expect(state.status).to.be.instanceOf(Signal.Computed);
    expect('set' in state.status).to.equal(false);
    const label = new Signal.Computed(() => `${state.status.get()}/${state.participants.get().size}`);
    expect(label.get()).to.equal('idle/0');
    state.setState(CallStatus.Ringing, { code: StartCode.INCOMING });
    state.updateParticipant('alice', { connection: 'connected' });
    expect(label.get()).to.equal('ringing/1');
    state.updateParticipant('alice', { videoEnabled: false });
    expect(state.participants.get().get('alice')).to.include({ connection: 'connected', videoEnabled: false, audioEnabled: true });
    state.removeParticipant('alice');
    expect(label.get()).to.equal('ringing/0');
    state.setPageStatus(PageStatus.PictureInPicture);
    expect(state.pageStatus.get()).to.equal('picture-in-picture');
  });

  it('starts a new call with a clean participant list', () => {
    const state = new CallStateManager();
    state.setState(CallStatus.Calling, { code: StartCode.OUTGOING });
    state.updateParticipant('bob', {});
    state.setState(CallStatus.Ended, { code: EndCode.BUSY });
    expect(state.participants.get().size).to.equal(1);
    state.setState(CallStatus.Calling, { code: StartCode.OUTGOING });
    expect(state.participants.get().size).to.equal(0);
  });
});
