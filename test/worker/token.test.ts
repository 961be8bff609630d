import { expect } from 'chai';
import { fetchToken, jwtExpiry, refreshAt } from '../../src/worker/token.ts';

const b64url = (o: unknown) => btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const jwt = (payload: unknown) => `${b64url({ alg: 'HS256' })}.${b64url(payload)}.sig`;

describe('worker/token', () => {
  it('reads the exp claim of a JWT (ms) and nothing from other strings', () => {
    expect(jwtExpiry(jwt({ sub: 'a', exp: 1_700_000_000 }))).to.equal(1_700_000_000_000);
    expect(jwtExpiry(jwt({ sub: 'a' }))).to.equal(null);
    expect(jwtExpiry('opaque-token')).to.equal(null);
    expect(jwtExpiry('a.%%%.c')).to.equal(null);
  });

  it('refreshes a tenth of the lifetime early for short tokens, leadMs early for long ones', () => {
    const now = 1_000_000;
    expect(refreshAt({ token: 't', expiresAt: now + 3000 }, now)).to.equal(now + 2700);
    expect(refreshAt({ token: 't', expiresAt: now + 3_600_000 }, now)).to.equal(now + 3_540_000);
    expect(refreshAt({ token: 't', expiresAt: now - 5 }, now)).to.equal(now);
    expect(refreshAt({ token: 't' }, now)).to.equal(null);
    expect(refreshAt(null, now)).to.equal(null);
  });

  it('normalizes what the provider returns and wraps its failures', async () => {
    expect(await fetchToken(null, 'connect')).to.equal(null);
    expect(await fetchToken(() => '', 'connect')).to.equal(null);
    expect(await fetchToken(() => 'abc', 'connect')).to.deep.equal({ token: 'abc', expiresAt: null });
    const t = jwt({ exp: 2_000_000_000 });
    expect((await fetchToken(async () => t, 'reconnect'))!.expiresAt).to.equal(2_000_000_000_000);
    expect(await fetchToken(() => ({ token: 'x', expiresAt: 5 }), 'refresh')).to.deep.equal({ token: 'x', expiresAt: 5 });
    const reasons: string[] = [];
    await fetchToken(({ reason }) => (reasons.push(reason), 'x'), 'rejected');
    expect(reasons).to.deep.equal(['rejected']);
    try {
      await fetchToken(() => {
        throw new Error('offline');
      }, 'connect');
      expect.fail('did not throw');
    } catch (e) {
      expect((e as { code: string }).code).to.equal('auth_failed');
    }
  });
});
