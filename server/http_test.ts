import { assert, assertEquals, assertMatch } from './testing/assert.ts';
import { withServer } from './testing/harness.ts';
import { isSystem, TestClient } from './testing/client.ts';
import { createSelfSignedCert } from './x509.ts';
import { CertManager, developmentIdentity, firstPemDer, hex } from './tls.ts';
import { SystemType } from '../src/codec/frame-types.ts';
import { systemFrame } from '../src/codec/frames.ts';

Deno.test('http: /health, /metrics and /cert-hash', async () => {
  await withServer({}, async (s) => {
    const c = await TestClient.connect(s.url, { format: 'protobuf' });
    c.send(systemFrame(SystemType.PING));
    await c.next((f) => isSystem(f, SystemType.PONG));
    const health = await (await fetch(`${s.url}/health`)).json();
    assertEquals([health.status, health.connections.websocket, health.connections.total, health.auth], ['ok', 1, 1, 'off']);
    assert(health.memory.rss_bytes > 1e6, 'rss reported');
    const res = await fetch(`${s.url}/metrics`);
    assertMatch(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assertMatch(text, /# TYPE flare_frames_in_total counter/);
    assertMatch(text, /flare_handshakes_total\{reason="",result="ok"\} 1/);
    assertMatch(text, /flare_connections\{transport="websocket"\} 1/);
    assert(Number(/flare_frames_in_total\{transport="websocket"\} (\d+)/.exec(text)![1]) >= 2, 'frames counted');
    const hashRes = await fetch(`${s.url}/cert-hash`);
    assertEquals(hashRes.headers.get('access-control-allow-origin'), '*');
    const hash = await hashRes.text();
    assertMatch(hash, /^[0-9a-f]{64}$/);
    assertEquals(hash, s.certHash());
    // /ws without an upgrade is refused.
    assertEquals((await fetch(`${s.url}/ws`)).status, 426);
    c.close();
  });
});

Deno.test('http: static files from the demo and dist directories, confined to them', async () => {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(`${root}/demo/sub`, { recursive: true });
  await Deno.mkdir(`${root}/dist`);
  await Deno.writeTextFile(`${root}/demo/index.html`, '<h1>demo</h1>');
  await Deno.writeTextFile(`${root}/demo/sub/app.js`, 'export {}');
  await Deno.writeTextFile(`${root}/dist/flare.js`, '// bundle');
  await Deno.writeTextFile(`${root}/secret.txt`, 'no');
  try {
    await withServer({ staticDir: `${root}/demo`, distDir: `${root}/dist` }, async (s) => {
      const get = async (p: string) => {
        const r = await fetch(`${s.url}${p}`);
        return [r.status, r.headers.get('content-type'), await r.text()];
      };
      assertEquals(await get('/'), [200, 'text/html; charset=utf-8', '<h1>demo</h1>']);
      assertEquals(await get('/sub/app.js'), [200, 'text/javascript; charset=utf-8', 'export {}']);
      assertEquals(await get('/dist/flare.js'), [200, 'text/javascript; charset=utf-8', '// bundle']);
      assertEquals((await get('/nope.html'))[0], 404);
      assertEquals((await get('/..%2fsecret.txt'))[0], 404);
      assertEquals((await get('/dist/..%2f..%2fsecret.txt'))[0], 404);
      assertEquals((await get('/%2e%2e/secret.txt'))[0], 404);
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test('tls: the development certificate is ECDSA P-256, valid under 14 days, and its hash is the DER SHA-256', async () => {
  const c = await createSelfSignedCert({ now: Date.UTC(2030, 0, 1) });
  const days = (c.notAfter.getTime() - c.notBefore.getTime()) / 86_400_000;
  assert(days < 14, `validity ${days} days`);
  assertEquals(hex(new Uint8Array(await crypto.subtle.digest('SHA-256', firstPemDer(c.cert)))), hex(c.sha256));
  // The key is a PKCS#8 P-256 key (the WebTransport tests show the pair works in a TLS handshake).
  const der = Uint8Array.from(atob(c.key.replace(/-----[^-]+-----|\s/g, '')), (ch) => ch.charCodeAt(0));
  const key = await crypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  assertEquals((key.algorithm as EcKeyAlgorithm).namedCurve, 'P-256');
});

Deno.test('tls: renewal swaps the certificate; open WebTransport sessions stay, new ones need the new hash', async () => {
  await withServer({}, async (s) => {
    const oldHash = s.certHash();
    const before = await TestClient.connect(s.url, { transport: 'webtransport', certHash: oldHash });
    await s.renewCertificate();
    const newHash = await (await fetch(`${s.url}/cert-hash`)).text();
    assert(newHash !== oldHash, 'the hash changed');
    const after = await TestClient.connect(s.url, { transport: 'webtransport', certHash: newHash });
    for (const c of [before, after]) {
      c.send(systemFrame(SystemType.PING));
      await c.next((f) => isSystem(f, SystemType.PONG));
    }
    let refused = false;
    await TestClient.open(s.url, { transport: 'webtransport', certHash: oldHash }).then(
      (c) => c.close(),
      () => (refused = true),
    );
    assert(refused, 'the old hash no longer matches');
    before.close();
    after.close();
  });
});

Deno.test('tls: the manager schedules renewal before expiry', async () => {
  const id = await developmentIdentity(3 * 86_400_000, Date.now());
  const renewed: string[] = [];
  const m = new CertManager(id, { validityMs: 3 * 86_400_000, renewBeforeMs: 86_400_000, onRenew: (n) => void renewed.push(n.sha256Hex) });
  const due = m.renewsAt! - Date.now();
  // Valid three days from an hour ago, renewed one day before the end: in about 47 hours.
  assert(due > 46 * 3_600_000 && due < 48 * 3_600_000, `renewal due in ${due} ms`);
  await m.renew();
  assertEquals(renewed.length, 1);
  assertEquals(m.identity.sha256Hex, renewed[0]);
  m.stop();
});

Deno.test('tls: --cert/--key serve HTTPS and WebTransport with that certificate', async () => {
  const dir = await Deno.makeTempDir();
  const c = await createSelfSignedCert();
  await Deno.writeTextFile(`${dir}/cert.pem`, c.cert);
  await Deno.writeTextFile(`${dir}/key.pem`, c.key);
  try {
    await withServer({ certFile: `${dir}/cert.pem`, keyFile: `${dir}/key.pem`, httpTls: true }, async (s) => {
      assertMatch(s.url, /^https:/);
      assertEquals(s.certHash(), hex(c.sha256));
      const client = Deno.createHttpClient({ caCerts: [c.cert] });
      const health = await (await fetch(`https://localhost:${s.port}/health`, { client } as RequestInit)).json();
      assertEquals(health.status, 'ok');
      client.close();
      const wt = await TestClient.connect(s.url, { transport: 'webtransport', certHash: s.certHash() });
      wt.send(systemFrame(SystemType.PING));
      await wt.next((f) => isSystem(f, SystemType.PONG));
      wt.close();
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
