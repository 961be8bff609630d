/**
 * A session's timeouts, checked by the hub's sweeper (hub.ts), not by a timer
 * per connection: the handshake must complete within --handshake-timeout, an
 * open connection silent for --idle-timeout is closed, and so is one whose
 * token expired without a fresh AUTH.
 */
import { ErrorCode } from '../src/codec/errors.ts';
import { CloseReason } from '../src/protocol/extensions.ts';
import { CloseCode } from './link.ts';
import type { Session } from './session.ts';

/** Closes `s` when one of its deadlines passed (`nowMono`: performance.now(); `nowWall`: Unix ms). */
export function checkSessionTimers(s: Session, nowMono: number, nowWall: number): void {
  const { config, metrics } = s.ctx;
  if (s.state === 'closed') return;
  if (s.state !== 'open') {
    if (nowMono - s.openedAt > config.handshakeTimeoutMs) {
      metrics.inc('flare_handshakes_total', { result: 'failed', reason: 'timeout' });
      s.sendError(ErrorCode.CONNECT_TIMEOUT, 'handshake timeout');
      s.close(CloseCode.HANDSHAKE_TIMEOUT, 'handshake timeout');
    }
    return;
  }
  const idle = nowMono - s.lastActivity;
  if (idle > config.idleTimeoutMs) {
    s.log.info('idle timeout', { idleMs: Math.round(idle) });
    s.close(CloseCode.IDLE_TIMEOUT, CloseReason.IDLE_TIMEOUT);
    return;
  }
  if (s.tokenExpiresAt !== null && nowWall >= s.tokenExpiresAt) {
    // close() writes what is queued first: the ERROR goes out before the close.
    s.sendError(ErrorCode.AUTH_FAILED, 'the token has expired', undefined, { reason: CloseReason.TOKEN_EXPIRED });
    s.close(CloseCode.AUTH_FAILED, CloseReason.TOKEN_EXPIRED);
  }
}
