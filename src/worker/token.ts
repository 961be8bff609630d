/**
 * Tokens come from a provider the app supplies (on the main thread, reached
 * through comlink). The worker asks it before every CONNECT, again when the
 * server refused the token, and ahead of expiry to refresh the session in
 * place (AUTH / AUTH_ACK) without reconnecting.
 *
 * The expiry is what the provider says, else the `exp` claim when the token
 * is a JWT, else unknown (no proactive refresh).
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';

/** Why the worker asks for a token. */
export type TokenReason = 'connect' | 'reconnect' | 'refresh' | 'rejected';

/** A token and, when known, its expiry (Unix ms). */
export interface TokenInfo {
  token: string;
  expiresAt?: number | null;
}

/** The app's token source. Returning null (or '') means "no token" (anonymous). */
export type TokenProvider = (ctx: { reason: TokenReason }) => Promise<string | TokenInfo | null> | string | TokenInfo | null;

/** The `exp` claim of a JWT in Unix ms, or null when `token` is not a JWT with one. */
export function jwtExpiry(token: string): number | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const b64 = parts[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const json = JSON.parse(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)));
    return typeof json?.exp === 'number' && Number.isFinite(json.exp) ? json.exp * 1000 : null;
  } catch {
    return null;
  }
}

/** Asks the provider and normalizes the answer. Throws AUTH_FAILED when the provider throws. */
export async function fetchToken(provider: TokenProvider | null, reason: TokenReason): Promise<TokenInfo | null> {
  if (!provider) return null;
  let raw: string | TokenInfo | null;
  try {
    raw = await provider({ reason });
  } catch (cause) {
    throw new FlareError(ErrorCode.AUTH_FAILED, 'the token provider failed', { cause, details: { reason } });
  }
  if (raw === null || raw === undefined || raw === '') return null;
  const info: TokenInfo = typeof raw === 'string' ? { token: raw } : { token: raw.token, expiresAt: raw.expiresAt ?? null };
  if (typeof info.token !== 'string') throw new FlareError(ErrorCode.AUTH_FAILED, 'the token provider returned no token string');
  if (info.expiresAt == null) info.expiresAt = jwtExpiry(info.token);
  return info;
}

/**
 * When to refresh (Unix ms): `leadMs` before expiry, or a tenth of the
 * remaining lifetime before it when that is shorter (a 3 s token refreshes
 * 0.3 s early, a 1 h token 60 s early). Null when the expiry is unknown.
 */
export function refreshAt(info: TokenInfo | null, now: number, leadMs = 60_000): number | null {
  const exp = info?.expiresAt;
  if (exp == null) return null;
  const remaining = exp - now;
  if (remaining <= 0) return now;
  return exp - Math.min(leadMs, remaining * 0.1);
}
