import { expect } from 'chai';
import { FlareError } from '../../src/codec/errors.ts';
import {
  ConnectedCode,
  ConnectingCode,
  ConnectionState as S,
  DisconnectedCode,
  FailedCode,
  KickedCode,
  ReconnectingCode,
  isCodeOf,
} from '../../src/worker/codes.ts';
import { ConnectionStateMachine, TRANSITIONS, canTransition, type StateChange } from '../../src/worker/state-machine.ts';

describe('worker/state-machine', () => {
  it('walks the normal life of a connection and tells listeners each change in order', () => {
    let t = 100;
    const sm = new ConnectionStateMachine({ now: () => t });
    const seen: StateChange[] = [];
    sm.subscribe((c) => seen.push(c));
    expect(sm.state).to.equal(S.Disconnected);
    sm.setState(S.Connecting, { code: ConnectingCode.CONNECT_CALLED });
    t = 150;
    sm.setState(S.Connected, { code: ConnectedCode.HANDSHAKE_COMPLETE });
    sm.setState(S.Reconnecting, { code: ReconnectingCode.HEARTBEAT_TIMEOUT, reason: 'no pong for 90 s' });
    sm.setState(S.Connected, { code: ConnectedCode.RECONNECTED });
    sm.setState(S.Disconnected, { code: DisconnectedCode.DISCONNECT_CALLED });
    expect(seen.map((c) => `${c.from}>${c.to}:${c.code}`)).to.deep.equal([
      'disconnected>connecting:connect_called',
      'connecting>connected:handshake_complete',
      'connected>reconnecting:heartbeat_timeout',
      'reconnecting>connected:reconnected',
      'connected>disconnected:disconnect_called',
    ]);
    expect(seen[1]!.at).to.equal(150);
    expect(seen[2]!.reason).to.equal('no pong for 90 s');
    expect(sm.lastChange).to.equal(seen[4]);
  });

  it('refuses illegal transitions and self-transitions without calling listeners', () => {
    const sm = new ConnectionStateMachine();
    let calls = 0;
    sm.subscribe(() => calls++);
    expect(() => sm.setState(S.Connected, { code: ConnectedCode.HANDSHAKE_COMPLETE })).to.throw(FlareError, /illegal transition/);
    sm.setState(S.Connecting, { code: ConnectingCode.CONNECT_CALLED });
    try {
      sm.setState(S.Connecting, { code: ConnectingCode.CONNECT_CALLED });
      expect.fail('self-transition accepted');
    } catch (e) {
      expect(FlareError.is(e, 'invalid_state')).to.equal(true);
      expect((e as FlareError).details).to.deep.include({ from: 'connecting', to: 'connecting' });
    }
    expect(sm.state).to.equal(S.Connecting);
    expect(calls).to.equal(1);
  });

  it('refuses a code that belongs to another target state', () => {
    const sm = new ConnectionStateMachine();
    sm.setState(S.Connecting, { code: ConnectingCode.CONNECT_CALLED });
    // A Reconnecting code used for Failed: rejected even though the transition is legal.
    expect(() => sm.setState(S.Failed, { code: ReconnectingCode.TRANSPORT_CLOSED as never })).to.throw(/does not belong/);
    expect(sm.state).to.equal(S.Connecting);
  });

  it('makes Kicked and Failed terminal for automation: only connect() or disconnect() leave them', () => {
    for (const end of [S.Kicked, S.Failed] as const) {
      const sm = new ConnectionStateMachine();
      sm.setState(S.Connecting, { code: ConnectingCode.CONNECT_CALLED });
      sm.setState(S.Connected, { code: ConnectedCode.HANDSHAKE_COMPLETE });
      if (end === S.Kicked) sm.setState(S.Kicked, { code: KickedCode.DEVICE_CONFLICT });
      else sm.setState(S.Failed, { code: FailedCode.CONNECTION_LOST });
      expect(sm.can(S.Reconnecting)).to.equal(false);
      expect(sm.can(S.Connected)).to.equal(false);
      expect(sm.trySetState(S.Reconnecting, { code: ReconnectingCode.TRANSPORT_CLOSED })).to.equal(null);
      expect(sm.state).to.equal(end);
      sm.setState(S.Connecting, { code: ConnectingCode.CONNECT_CALLED });
    }
  });

  it('has a table where every state is reachable and none maps to itself', () => {
    const reachable = new Set<string>([S.Disconnected]);
    for (const [from, tos] of Object.entries(TRANSITIONS)) {
      expect(tos).to.not.include(from);
      for (const to of tos) reachable.add(to);
    }
    expect([...reachable].sort()).to.deep.equal(Object.values(S).sort());
    expect(canTransition(S.Reconnecting, S.Connecting)).to.equal(false);
    expect(isCodeOf(S.Kicked, 'device_conflict')).to.equal(true);
    expect(isCodeOf(S.Connected, 'device_conflict')).to.equal(false);
  });

  it('keeps going when a listener throws, reports the error, and supports unsubscribe', () => {
    const errors: unknown[] = [];
    const sm = new ConnectionStateMachine({ onListenerError: (e) => errors.push(e) });
    const got: string[] = [];
    sm.subscribe(() => {
      throw new Error('boom');
    });
    const off = sm.subscribe((c) => got.push(c.to));
    sm.setState(S.Connecting, { code: ConnectingCode.CONNECT_CALLED });
    off();
    sm.setState(S.Disconnected, { code: DisconnectedCode.DISCONNECT_CALLED });
    expect(got).to.deep.equal(['connecting']);
    expect(errors).to.have.length(2);
    expect(sm.state).to.equal(S.Disconnected);
  });
});
