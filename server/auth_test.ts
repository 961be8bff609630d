import { SignJWT } from 'jose';
import { assertEquals } from './testing/assert.ts';
import { withServer } from './testing/harness.ts';
import { isSystem, meta, TestClient } from './testing/client.ts';
import { createAuthenticator } from './auth.ts';
import { SystemType } from '../src/codec/frame-types.ts';
import { systemFrame } from '../src/codec/frames.ts';

const SECRET = 'test-secret-0123456789';

async function token(sub: string | null, expSeconds: number | null, secret = SECRET): Promise<string> {
  let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (sub !== null) jwt = jwt.setSubject(sub);
  if (expSeconds !== null) jwt = jwt.setExpirationTime(Math.floor(Date.now() / 1000) + expSeconds);
  return await jwt.sign(new TextEncoder().encode(secret));
}

/** Connects with a token; returns the ERROR frame's code and reason and the close code, or null when accepted. */
async function attempt(url: string, meta_: Record<string, string>) {
  const c = await TestClient.open(url);
  const reply = await c.handshake({ meta: meta_ });
  if (isSystem(reply, SystemType.CONNECT_ACK)) {
    c.close();
    return null;
  }
  const closed = await c.waitClosed();
  return { code: meta(reply, 'code'), reason: meta(reply, 'reason'), close: closed.code };
}

Deno.test('auth: bad, expired, missing and mismatched tokens get an ERROR with a code, then a close', async () => {
  await withServer({ authSecret: SECRET }, async (s) => {
    const cases: Array<[string, Record<string, string>, string]> = [
      ['missing', {}, 'missing_token'],
      ['garbage', { token: 'not-a-jwt' }, 'invalid_token'],
      ['wrong secret', { token: await token('alice', 60, 'other-secret') }, 'invalid_token'],
      ['expired', { token: await token('alice', -10) }, 'token_expired'],
      ['no subject', { token: await token(null, 60) }, 'no_subject'],
      ['user mismatch', { token: await token('alice', 60), user_id: 'mallory' }, 'user_mismatch'],
    ];
    for (const [name, m, reason] of cases) {
      const r = await attempt(s.url, m);
      assertEquals(r, { code: 'auth_failed', reason, close: 4001 }, name);
    }
    assertEquals(s.ctx.metrics.value('flare_handshakes_total', { result: 'failed', reason: 'token_expired' }), 1);
  });
});

Deno.test('auth: a valid token is accepted and its subject is the user id', async () => {
  await withServer({ authSecret: SECRET }, async (s) => {
    const c = await TestClient.connect(s.url, { meta: { token: await token('alice', 60) } });
    assertEquals(meta(c.ack!, 'user_id'), 'alice');
    assertEquals(meta(c.ack!, 'auth'), 'on');
    c.close();
  });
});

Deno.test('auth: a token that expires during the connection closes it unless refreshed with AUTH', async () => {
  await withServer({ authSecret: SECRET }, async (s) => {
    const refreshed = await TestClient.connect(s.url, { meta: { token: await token('alice', 6) } });
    const lapsing = await TestClient.connect(s.url, { meta: { token: await token('bob', 2), device_id: 'b' } });
    refreshed.send(systemFrame(SystemType.AUTH, { metadata: { token: await token('alice', 60) } }));
    const authAck = await refreshed.next((f) => isSystem(f, SystemType.AUTH_ACK));
    assertEquals(Number(meta(authAck, 'expires_at')) > Date.now() + 30_000, true);
    // A refresh with a token for another user is refused and changes nothing.
    refreshed.send(systemFrame(SystemType.AUTH, { metadata: { token: await token('mallory', 60) } }));
    assertEquals(meta(await refreshed.next((f) => isSystem(f, SystemType.ERROR)), 'reason'), 'user_mismatch');
    const closed = await lapsing.waitClosed(10_000);
    assertEquals(closed.code, 4001);
    assertEquals(meta(await lapsing.next((f) => isSystem(f, SystemType.ERROR)), 'reason'), 'token_expired');
    refreshed.send(systemFrame(SystemType.PING));
    await refreshed.next((f) => isSystem(f, SystemType.PONG));
    assertEquals(refreshed.closed, null);
    refreshed.close();
  });
});

Deno.test('auth off: user_id taken as given, anonymous without it', async () => {
  const auth = createAuthenticator(null);
  assertEquals(await auth.verify(undefined, 'carol'), { ok: true, userId: 'carol', expiresAt: null });
  assertEquals(await auth.verify('whatever', undefined), { ok: true, userId: 'anonymous', expiresAt: null });
});
