/**
 * Test-only control of extra reference servers (scripts/wtr-server-control.mjs):
 * start one with its own flags, kill it, restart it on the same port.
 */
import { executeServerCommand } from '@web/test-runner-commands';

export interface ControlledServer {
  id: string;
  url: string;
  certHash: string;
}

export async function startRedis(): Promise<string> {
  return ((await executeServerCommand('flare-redis-start')) as { url: string }).url;
}

export async function startServer(args: string[] = []): Promise<ControlledServer> {
  return (await executeServerCommand('flare-server-start', { args })) as ControlledServer;
}

export async function killServer(s: ControlledServer): Promise<void> {
  await executeServerCommand('flare-server-kill', { id: s.id });
}

export async function restartServer(s: ControlledServer): Promise<ControlledServer> {
  return (await executeServerCommand('flare-server-restart', { id: s.id })) as ControlledServer;
}

export async function stopServer(s: ControlledServer): Promise<void> {
  await executeServerCommand('flare-server-stop', { id: s.id });
}

/** An HS256 JWT for `sub`, expiring `ttlMs` from now, signed with `secret` (WebCrypto). */
export async function mintJwt(secret: string, sub: string, ttlMs: number): Promise<string> {
  const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const enc = new TextEncoder();
  const head = b64(enc.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));
  const body = b64(enc.encode(JSON.stringify({ sub, exp: Math.floor((Date.now() + ttlMs) / 1000) })));
  const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(`${head}.${body}`)));
  return `${head}.${body}.${b64(sig)}`;
}
