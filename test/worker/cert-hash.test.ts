import { expect } from 'chai';
import { FetchedCertHash } from '../../src/worker/cert-hash.ts';
import { resolveOptions } from '../../src/worker/options.ts';
import { WebTransportTransport } from '../../src/worker/transports/webtransport.ts';
import { FlareError } from '../../src/codec/errors.ts';
import { FakeWebTransport } from './helpers/fake-sockets.ts';

const H1 = 'a1'.repeat(32);
const H2 = 'b2'.repeat(32);

/** A scripted `/cert-hash` endpoint: each answer is taken in turn; a function answers by hand. */
function server(...answers: Array<string | Error | number>) {
  const urls: string[] = [];
  const fetch = async (url: string) => {
    urls.push(url);
    const a = answers.length > 1 ? answers.shift()! : answers[0]!;
    if (a instanceof Error) throw a;
    if (typeof a === 'number') return new Response('gone', { status: a });
    return new Response(a, { status: 200 });
  };
  return { urls, fetch };
}

describe('worker/cert-hash', () => {
  it('fetches before the first dial when no hash is known, then reuses it', async () => {
    const s = server(`${H1.toUpperCase()}\n`);
    const src = new FetchedCertHash({ url: 'http://srv/cert-hash', fetch: s.fetch });
    expect(await src.forDial()).to.equal(H1);
    expect(await src.forDial()).to.equal(H1);
    expect(s.urls).to.deep.equal(['http://srv/cert-hash']);
  });

  it('starts from a given hash and fetches again only after a dial with the current hash failed', async () => {
    const s = server(H2);
    const src = new FetchedCertHash({ url: 'u', initial: H1, fetch: s.fetch });
    expect(await src.forDial()).to.equal(H1);
    expect(src.fetches).to.equal(0);
    src.dialFailed(H1);
    expect(await src.forDial()).to.equal(H2);
    src.dialFailed(H1); // a late report about the old hash
    expect(await src.forDial()).to.equal(H2);
    expect(src.fetches).to.equal(1);
  });

  it('shares one fetch between dials waiting at the same time', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const src = new FetchedCertHash({ url: 'u', fetch: async () => (calls++, await gate, new Response(H1)) });
    const both = Promise.all([src.forDial(), src.forDial()]);
    release();
    expect(await both).to.deep.equal([H1, H1]);
    expect(calls).to.equal(1);
  });

  it('keeps the last hash when the fetch fails, answers garbage or an error status, and tries again next time', async () => {
    const s = server(new TypeError('Failed to fetch'), 'not a hash', 404, 'ab'.repeat(31), H2);
    const src = new FetchedCertHash({ url: 'u', initial: H1, fetch: s.fetch });
    src.dialFailed(H1);
    for (let i = 0; i < 4; i++) expect(await src.forDial()).to.equal(H1);
    expect(await src.forDial()).to.equal(H2);
    expect(await src.forDial()).to.equal(H2);
    expect(src.fetches).to.equal(5);
  });

  it('rejects with ABORTED when the dial is abandoned while the fetch is under way', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const src = new FetchedCertHash({ url: 'u', fetch: async () => (await gate, new Response(H1)) });
    const ac = new AbortController();
    const waiting = src.forDial(ac.signal);
    ac.abort();
    try {
      await waiting;
      expect.fail('resolved');
    } catch (e) {
      expect(FlareError.is(e, 'aborted')).to.equal(true);
    }
    release();
    expect(await src.forDial()).to.equal(H1);
  });

  it("resolves certHash 'auto' to a hash URL on the server", () => {
    const auto = resolveOptions({ url: 'http://127.0.0.1:9000', certHash: 'auto' }, () => 'x');
    expect(auto.certHash).to.equal(null);
    expect(auto.certHashUrl).to.equal('http://127.0.0.1:9000/cert-hash');
    const fixed = resolveOptions({ url: 'http://127.0.0.1:9000', certHash: H1 }, () => 'x');
    expect([fixed.certHash, fixed.certHashUrl]).to.deep.equal([H1, null]);
    const both = resolveOptions({ url: 'http://h:1', certHash: H1, certHashUrl: 'http://h:2/hash' }, () => 'x');
    expect([both.certHash, both.certHashUrl]).to.deep.equal([H1, 'http://h:2/hash']);
  });

  describe('with the WebTransport transport', () => {
    beforeEach(() => {
      FakeWebTransport.instances = [];
      FakeWebTransport.refuse = false;
    });
    const handlers = { frames: () => {}, closed: () => {} };
    const dial = (src: FetchedCertHash) =>
      new WebTransportTransport('https://x/wt', { certHash: 'ff'.repeat(32), certHashSource: src, WebTransportImpl: FakeWebTransport as unknown as typeof WebTransport }).open(handlers);
    const hashOf = (i: number) => [...new Uint8Array(FakeWebTransport.instances[i]!.options!.serverCertificateHashes![0]!.value as Uint8Array)];

    it('dials with the source hash, and after a failed dial with a freshly fetched one', async () => {
      const s = server(H1, H2);
      const src = new FetchedCertHash({ url: 'u', fetch: s.fetch });
      FakeWebTransport.refuse = true;
      try {
        await dial(src);
        expect.fail('opened');
      } catch (e) {
        expect(FlareError.is(e, 'transport_unavailable')).to.equal(true);
      }
      FakeWebTransport.refuse = false;
      await dial(src);
      await dial(src);
      expect(hashOf(0)).to.deep.equal(Array(32).fill(0xa1));
      expect(hashOf(1)).to.deep.equal(Array(32).fill(0xb2));
      expect(hashOf(2)).to.deep.equal(Array(32).fill(0xb2));
      expect(src.fetches).to.equal(2);
    });

    it('does not count a dial abandoned by the caller as a failure, but counts a dial timeout', async () => {
      const s = server(H1, H2);
      const src = new FetchedCertHash({ url: 'u', fetch: s.fetch });
      await src.forDial();
      FakeWebTransport.refuse = true;
      const abandon = async (reason: unknown) => {
        const ac = new AbortController();
        // Aborted once the session exists, while it is still dialling.
        class Aborting extends FakeWebTransport {
          constructor(url: string, options?: WebTransportOptions) {
            super(url, options);
            ac.abort(reason);
          }
        }
        const t = new WebTransportTransport('https://x/wt', { certHashSource: src, WebTransportImpl: Aborting as unknown as typeof WebTransport });
        return t.open(handlers, ac.signal).then(
          () => 'opened',
          (e: FlareError) => e.code,
        );
      };
      expect(await abandon(new Error('lost the race'))).to.equal('aborted');
      expect(await src.forDial()).to.equal(H1);
      expect(src.fetches).to.equal(1);
      expect(await abandon(new FlareError('connect_timeout', 'webtransport dial timed out'))).to.equal('aborted');
      expect(await src.forDial()).to.equal(H2);
      expect(src.fetches).to.equal(2);
    });
  });
});
