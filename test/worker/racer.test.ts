import { expect } from 'chai';
import { ErrorCode, FlareError } from '../../src/codec/errors.ts';
import { createPingProber } from '../../src/worker/probe.ts';
import { Racer, createWinnerMemory, type Candidate, type RaceResult } from '../../src/worker/racer.ts';
import { createScorer } from '../../src/worker/scorer.ts';
import { loadWasmCore } from '../../src/codec/wasm-core.ts';
import { createMessageIdGenerator } from '../../src/worker/message-id.ts';
import type { TransportKind } from '../../src/worker/transport.ts';
import { FakeClock, advanceAsync } from './helpers/fake-clock.ts';
import { ScriptedTransport, type Script } from './helpers/scripted-transport.ts';

function setup(scripts: Partial<Record<TransportKind, Script>>, opts: { probe?: boolean } = {}) {
  const clock = new FakeClock();
  const made: ScriptedTransport[] = [];
  const candidates: Candidate[] = (Object.keys(scripts) as TransportKind[]).map((kind) => ({
    kind,
    create: () => {
      const t = new ScriptedTransport(kind, clock, scripts[kind]);
      made.push(t);
      return t;
    },
  }));
  const memory = createWinnerMemory();
  const racer = new Racer({
    clock,
    memory,
    prober: opts.probe === false ? null : createPingProber({ clock, newId: createMessageIdGenerator() }),
  });
  return { clock, made, candidates, racer, memory };
}

async function run(s: ReturnType<typeof setup>, ms = 3000): Promise<RaceResult> {
  let result: RaceResult | undefined;
  let error: unknown;
  s.racer.race('srv', s.candidates).then((r) => (result = r), (e) => (error = e));
  await advanceAsync(s.clock, ms);
  if (error) throw error;
  if (!result) throw new Error('race did not finish');
  return result;
}

describe('worker/scorer (on the codec scoring core)', () => {
  it('scores lower latency, fewer lost probes and fewer failures higher', () => {
    const sc = createScorer({ now: () => 1000 });
    const feed = (kind: TransportKind, rtt: number, lost: number, failures: number) => {
      sc.reset(kind, 20);
      for (let i = 0; i < 5; i++) {
        sc.rtt(kind, rtt);
        sc.probe(kind, true);
      }
      for (let i = 0; i < lost; i++) sc.probe(kind, false);
      for (let i = 0; i < failures; i++) sc.outcome(kind, false);
      return sc.snapshot(kind).score;
    };
    const base = feed('websocket', 10, 0, 0);
    expect(base).to.be.within(0, 100);
    expect(feed('websocket', 200, 0, 0)).to.be.below(base);
    expect(feed('websocket', 10, 3, 0)).to.be.below(base);
    expect(feed('websocket', 10, 0, 3)).to.be.below(base);
    expect(feed('websocket', 0, 0, 0)).to.be.at.least(base); // 0 ms is fine (the seed's formula divides by it)
    const snap = sc.snapshot('websocket');
    expect(snap.connectMs).to.equal(20);
    expect(snap.samples).to.equal(5);
  });

  it('reports nothing measured as score 0 with null latencies', () => {
    const sc = createScorer();
    sc.reset('webtransport');
    expect(sc.snapshot('webtransport')).to.deep.include({ score: 0, rttMs: null, samples: 0 });
  });

  it('runs on the WASM core when it is loaded, with the same scores as the JavaScript twin', async () => {
    const core = await loadWasmCore();
    const wasm = createScorer({ core, now: () => 5000 });
    const js = createScorer({ core: null, now: () => 5000 });
    expect(wasm.implementation).to.equal('wasm');
    expect(js.implementation).to.equal('js');
    for (const sc of [wasm, js]) {
      sc.reset('websocket', 12);
      for (const r of [3.5, 4.25, 9, 2]) sc.rtt('websocket', r);
      sc.probe('websocket', false);
      sc.outcome('websocket', true);
    }
    expect(wasm.snapshot('websocket')).to.deep.equal(js.snapshot('websocket'));
  });
});

describe('worker/racer', () => {
  it('picks WebTransport when both open and perform alike (preference bonus)', async () => {
    const s = setup({ websocket: { rttMs: 5 }, webtransport: { rttMs: 5 } });
    const r = await run(s);
    expect(r.kind).to.equal('webtransport');
    expect(r.decidedBy).to.equal('score');
    expect(r.metrics.map((m) => m.samples)).to.deep.equal([3, 3]);
    const ws = s.made.find((t) => t.kind === 'websocket')!;
    expect(ws.closed).to.have.length(1); // the loser is closed
    expect(s.made.find((t) => t.kind === 'webtransport')!.closed).to.deep.equal([]);
  });

  it('picks WebSocket when WebTransport cannot connect, and says why', async () => {
    const s = setup({
      websocket: {},
      webtransport: { fail: new FlareError(ErrorCode.TRANSPORT_UNAVAILABLE, 'UDP blocked') },
    });
    const r = await run(s);
    expect(r.kind).to.equal('websocket');
    expect(r.decidedBy).to.equal('only');
    expect(r.failures.webtransport?.message).to.equal('UDP blocked');
  });

  it('picks a clearly faster WebSocket over a slow WebTransport', async () => {
    const s = setup({ websocket: { rttMs: 5 }, webtransport: { rttMs: 250 } });
    const r = await run(s);
    expect(r.kind).to.equal('websocket');
    expect(r.scores.websocket!).to.be.above(r.scores.webtransport!);
  });

  it('drops a dial that hangs past the timeout', async () => {
    const s = setup({ websocket: {}, webtransport: { fail: 'hang' } }, { probe: false });
    const r = await run(s, 7000);
    expect(r.kind).to.equal('websocket');
  });

  it('does not wait for a slow dial beyond the grace period after the first success', async () => {
    const s = setup({ websocket: { openAfterMs: 10 }, webtransport: { openAfterMs: 2000 } }, { probe: false });
    let result: RaceResult | undefined;
    void s.racer.race('srv', s.candidates).then((r) => (result = r));
    await advanceAsync(s.clock, 1200);
    expect(result?.kind).to.equal('websocket');
    await advanceAsync(s.clock, 1000);
    // The straggler opened after the race and was closed at once.
    expect(s.made.find((t) => t.kind === 'webtransport')!.closed).to.have.length(1);
  });

  it('rejects with TRANSPORT_UNAVAILABLE listing every failure when nothing connects', async () => {
    const s = setup({
      websocket: { fail: new FlareError(ErrorCode.TRANSPORT_UNAVAILABLE, 'refused') },
      webtransport: { fail: new FlareError(ErrorCode.TRANSPORT_UNAVAILABLE, 'no WebTransport') },
    });
    try {
      await run(s);
      expect.fail('race succeeded');
    } catch (e) {
      expect(FlareError.is(e, 'transport_unavailable')).to.equal(true);
      expect((e as FlareError).details).to.have.keys('websocket', 'webtransport');
    }
  });

  it('remembers the winner and skips the race next time, until the memory is stale', async () => {
    const s = setup({ websocket: { rttMs: 5 }, webtransport: { rttMs: 5 } });
    expect((await run(s)).kind).to.equal('webtransport');
    s.made.length = 0;
    const again = await run(s, 500);
    expect(again.decidedBy).to.equal('remembered');
    expect(s.made.map((t) => t.kind)).to.deep.equal(['webtransport']); // WebSocket was never dialled
    s.clock.jumpWall(11 * 60_000);
    s.made.length = 0;
    const recheck = await run(s);
    expect(recheck.decidedBy).to.equal('score');
    expect(s.made).to.have.length(2);
  });

  it('does not remember a race of one candidate, nor renew a remembered win', async () => {
    const forced = setup({ websocket: { rttMs: 5 } });
    expect((await run(forced)).decidedBy).to.equal('only');
    expect(forced.memory.get('srv')).to.equal(undefined);

    const s = setup({ websocket: { rttMs: 5 }, webtransport: { rttMs: 5 } });
    await run(s);
    const first = s.memory.get('srv')!;
    s.clock.jumpWall(60_000);
    expect((await run(s, 500)).decidedBy).to.equal('remembered');
    expect(s.memory.get('srv')!.at).to.equal(first.at);
  });

  it('falls back to the full race when the remembered winner does not open in its head start', async () => {
    const slowWt = setup({ websocket: {}, webtransport: { fail: new FlareError(ErrorCode.TRANSPORT_UNAVAILABLE, 'gone') } });
    slowWt.memory.set('srv', { kind: 'webtransport', at: slowWt.clock.wallNow(), scores: {} });
    const r = await run(slowWt);
    expect(r.kind).to.equal('websocket');
    expect(slowWt.memory.get('srv')!.kind).to.equal('websocket');
  });

  it('counts probe answers that arrive as datagrams', async () => {
    const s = setup({ websocket: { rttMs: 5 }, webtransport: { rttMs: 5, datagrams: true } });
    const r = await run(s);
    expect(r.kind).to.equal('webtransport');
    const wt = r.metrics.find((m) => m.kind === 'webtransport')!;
    expect(wt.rttMs).to.equal(4); // the datagram answer came first
  });

  it('holds frames that arrive after the probe until the session attaches', async () => {
    const s = setup({ websocket: {} }, { probe: false });
    const r = await run(s, 100);
    const t = s.made[0]!;
    t.deliver(new Uint8Array([1]));
    t.deliver(new Uint8Array([2]));
    const got: number[] = [];
    r.winner.attach({ frames: (fs) => fs.forEach((f) => got.push(f[0]!)), closed: () => {} });
    t.deliver(new Uint8Array([3]));
    expect(got).to.deep.equal([1, 2, 3]);
  });
});
