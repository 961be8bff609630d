import { expect } from 'chai';
import { CallTimeoutManager, TimeoutKind } from '../../../src/sdk/call/call-timeout-manager.ts';
import { BackoffReconnectPolicy, ReconnectionManager } from '../../../src/sdk/call/reconnection-manager.ts';
import { CallStateManager } from '../../../src/sdk/call/call-state-manager.ts';
import { CallStatus } from '../../../src/sdk/call/call-types.ts';
import { ConnectCode, ReconnectCode, StartCode } from '../../../src/sdk/call/call-codes.ts';
import { FakeTimers } from './fake-timers.ts';

describe('CallTimeoutManager', () => {
  it('fires the no-answer timeout after 30 s by default, once', async () => {
    const timers = new FakeTimers();
    const timeouts = new CallTimeoutManager({ timers });
    let fired = 0;
    timeouts.start(TimeoutKind.NoAnswer, () => fired++);
    expect(timeouts.remainingMs(TimeoutKind.NoAnswer)).to.equal(30_000);
    await timers.advance(29_999);
    expect(fired).to.equal(0);
    expect(timeouts.remainingMs(TimeoutKind.NoAnswer)).to.equal(1);
    await timers.advance(1);
    expect(fired).to.equal(1);
    expect(timeouts.isRunning(TimeoutKind.NoAnswer)).to.equal(false);
    await timers.advance(60_000);
    expect(fired).to.equal(1);
  });

  it('keeps kinds apart, restarts on start, and cancels on clear', async () => {
    const timers = new FakeTimers();
    const timeouts = new CallTimeoutManager({ timers, durations: { connect: 5000 } });
    const fired: string[] = [];
    timeouts.start(TimeoutKind.NoAnswer, () => fired.push('no-answer'), { ms: 1000 });
    timeouts.start(TimeoutKind.Connect, () => fired.push('connect'));
    await timers.advance(800);
    timeouts.start(TimeoutKind.NoAnswer, () => fired.push('no-answer-2'), { ms: 1000 });
    await timers.advance(800);
    expect(fired).to.deep.equal([]);
    expect(timeouts.clear(TimeoutKind.Connect)).to.equal(true);
    expect(timeouts.clear(TimeoutKind.Connect)).to.equal(false);
    await timers.advance(10_000);
    expect(fired).to.deep.equal(['no-answer-2']);
    timeouts.start(TimeoutKind.Ringing, () => fired.push('ringing'));
    timeouts.clearAll();
    await timers.advance(60_000);
    expect(fired).to.deep.equal(['no-answer-2']);
    expect(timers.pendingCount).to.equal(0);
  });
});

describe('BackoffReconnectPolicy', () => {
  it('is immediate first, then doubles from 1 s with +-10 % jitter, capped, and gives up', () => {
    const low = new BackoffReconnectPolicy({ random: () => 0, maxAttempts: 8 });
    const high = new BackoffReconnectPolicy({ random: () => 0.999999, maxAttempts: 8 });
    const mid = new BackoffReconnectPolicy({ random: () => 0.5, maxAttempts: 8 });
    const ctx = (retryCount: number) => ({ retryCount, elapsedMs: 0 });
    expect(mid.nextRetryDelayInMs(ctx(0))).to.equal(0);
    expect([1, 2, 3, 4, 5, 6].map((n) => mid.nextRetryDelayInMs(ctx(n)))).to.deep.equal([1000, 2000, 4000, 8000, 16000, 30000]);
    expect(low.nextRetryDelayInMs(ctx(2))).to.equal(1800);
    expect(high.nextRetryDelayInMs(ctx(2))).to.be.closeTo(2200, 0.01);
    expect(high.nextRetryDelayInMs(ctx(7))).to.equal(30000);
    expect(mid.nextRetryDelayInMs(ctx(8))).to.equal(null);
  });
});

describe('ReconnectionManager', () => {
  function inCall(timers: FakeTimers): CallStateManager {
    const state = new CallStateManager({ timers });
    state.setState(CallStatus.Calling, { code: StartCode.OUTGOING });
    state.setState(CallStatus.InCall, { code: ConnectCode.ACCEPTED });
    return state;
  }

  it('retries with the policy delays and returns to in-call when a restart succeeds', async () => {
    const timers = new FakeTimers();
    const state = inCall(timers);
    const manager = new ReconnectionManager(state, { timers, policy: new BackoffReconnectPolicy({ random: () => 0.5 }) });
    const attempts: number[] = [];
    const done = manager.start(
      async ({ retryCount }) => {
        attempts.push(timers.now());
        if (retryCount < 2) throw new Error('ice still failed');
      },
      { code: ReconnectCode.ICE_FAILED },
    );
    expect(state.status.get()).to.equal(CallStatus.Reconnecting);
    expect(manager.start(async () => {}, { code: ReconnectCode.ICE_FAILED })).to.equal(done);
    await timers.advance(0);
    expect(attempts).to.deep.equal([0]);
    expect(state.reconnection.get()).to.deep.equal({ active: true, attempts: 1, nextDelayMs: 1000 });
    await timers.advance(1000);
    expect(attempts).to.deep.equal([0, 1000]);
    await timers.advance(2000);
    expect(attempts).to.deep.equal([0, 1000, 3000]);
    expect(await done).to.equal(true);
    expect(state.status.get()).to.equal(CallStatus.InCall);
    expect(state.lastTransition.get()!.code).to.equal('reconnected');
    expect(state.reconnection.get().active).to.equal(false);
    expect(manager.active).to.equal(false);
  });

  it('fails the call when the policy gives up', async () => {
    const timers = new FakeTimers();
    const state = inCall(timers);
    const manager = new ReconnectionManager(state, { timers, policy: new BackoffReconnectPolicy({ maxAttempts: 3, random: () => 0.5 }) });
    let attempts = 0;
    const done = manager.start(async () => {
      attempts++;
      throw new Error('no route');
    }, { code: ReconnectCode.CONNECTION_LOST });
    await timers.advance(10_000);
    expect(await done).to.equal(false);
    expect(attempts).to.equal(3);
    expect(state.status.get()).to.equal(CallStatus.Failed);
    expect(state.lastTransition.get()!.code).to.equal('reconnect-exhausted');
  });

  it('stops on cancel without touching the status, and does not start outside a call', async () => {
    const timers = new FakeTimers();
    const state = inCall(timers);
    const manager = new ReconnectionManager(state, { timers });
    let attempts = 0;
    const done = manager.start(async () => {
      attempts++;
      throw new Error('down');
    }, { code: ReconnectCode.CONNECTION_LOST });
    await timers.advance(0);
    manager.cancel();
    expect(await done).to.equal(false);
    await timers.advance(60_000);
    expect(attempts).to.equal(1);
    expect(state.status.get()).to.equal(CallStatus.Reconnecting);
    expect(timers.pendingCount).to.equal(0);

    const idle = new CallStateManager({ timers });
    expect(await new ReconnectionManager(idle, { timers }).start(async () => {}, { code: ReconnectCode.CONNECTION_LOST })).to.equal(false);
    expect(idle.status.get()).to.equal(CallStatus.Idle);
  });
});
