/**
 * Authentication of CONNECT (and of AUTH token refreshes): HS256 JWTs verified
 * with the configured secret; the subject is the user id and the expiry is
 * honoured. Without a secret, authentication is off and the client's
 * `user_id` metadata is taken as given.
 */
import { errors, jwtVerify } from 'jose';

/** Why a token was refused (sent as ERROR metadata `reason`). */
export const AuthFailure = {
  MISSING: 'missing_token',
  INVALID: 'invalid_token',
  EXPIRED: 'token_expired',
  NO_SUBJECT: 'no_subject',
  USER_MISMATCH: 'user_mismatch',
} as const;
export type AuthFailure = (typeof AuthFailure)[keyof typeof AuthFailure];

export type AuthResult =
  | { ok: true; userId: string; /** Unix ms, or null for a token without `exp` (or auth off). */ expiresAt: number | null }
  | { ok: false; reason: AuthFailure; message: string };

export interface Authenticator {
  readonly enabled: boolean;
  /**
   * Checks a token. `claimedUserId` is the client's `user_id` metadata: with
   * auth on it must match the token's subject when given; with auth off it
   * is the user id (or `anonymous`).
   */
  verify(token: string | undefined, claimedUserId: string | undefined): Promise<AuthResult>;
}

/** An authenticator for `secret` (null: authentication off). */
export function createAuthenticator(secret: string | null, clockToleranceSec = 0): Authenticator {
  if (secret === null) {
    return {
      enabled: false,
      verify: (_token, claimed) => Promise.resolve({ ok: true, userId: claimed || 'anonymous', expiresAt: null }),
    };
  }
  const key = new TextEncoder().encode(secret);
  return {
    enabled: true,
    async verify(token, claimed) {
      if (!token) return { ok: false, reason: AuthFailure.MISSING, message: 'a token is required' };
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], clockTolerance: clockToleranceSec });
        if (typeof payload.sub !== 'string' || payload.sub === '') {
          return { ok: false, reason: AuthFailure.NO_SUBJECT, message: 'the token has no subject (user id)' };
        }
        if (claimed && claimed !== payload.sub) {
          return { ok: false, reason: AuthFailure.USER_MISMATCH, message: 'user_id does not match the token subject' };
        }
        return { ok: true, userId: payload.sub, expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null };
      } catch (e) {
        if (e instanceof errors.JWTExpired) return { ok: false, reason: AuthFailure.EXPIRED, message: 'the token has expired' };
        return { ok: false, reason: AuthFailure.INVALID, message: 'the token is not valid' };
      }
    },
  };
}
