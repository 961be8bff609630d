/**
 * Keeps the session's token fresh: asks the provider before each CONNECT
 * (token.ts `fetchToken`), and while connected fetches a new token shortly
 * before expiry and hands it to the server in place with AUTH. AUTH_ACK
 * carries the new expiry; an ERROR naming the AUTH means the server refused
 * the fresh token, and the session reconnects.
 */
import { SystemType, type Frame } from '../codec/frame-types.ts';
import { systemFrame } from '../codec/frames.ts';
import { metaText } from '../codec/metadata.ts';
import { SystemKey } from '../protocol/extensions.ts';
import type { Clock, TimerHandle } from './clock.ts';
import { fetchToken, refreshAt, type TokenInfo, type TokenProvider, type TokenReason } from './token.ts';

/** What the refresher needs. */
export interface TokenRefresherDeps {
  clock: Clock;
  provider: TokenProvider | null;
  newId: (now: number) => string;
  /** The provider failed during a refresh (the current token stays). */
  onError(error: unknown): void;
  /** The server refused the refreshed token. */
  onRejected(message: string): void;
}

export class TokenRefresher {
  /** The token in use, or null (anonymous, or no provider). */
  token: TokenInfo | null = null;
  readonly #d: TokenRefresherDeps;
  #timer: TimerHandle | null = null;
  #pendingAuthId: string | null = null;
  #send: ((frames: readonly Frame[]) => void) | null = null;
  #generation = 0;

  constructor(deps: TokenRefresherDeps) {
    this.#d = deps;
  }

  /** Asks the provider for a token (before a CONNECT). */
  async fetch(reason: TokenReason): Promise<TokenInfo | null> {
    this.token = await fetchToken(this.#d.provider, reason);
    return this.token;
  }

  /** Connected: refresh ahead of expiry through `send`. */
  start(send: (frames: readonly Frame[]) => void): void {
    this.stop();
    this.#send = send;
    this.#schedule();
  }

  /** Disconnected: no refresh until the next `start`. */
  stop(): void {
    this.#generation++;
    if (this.#timer !== null) this.#d.clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#pendingAuthId = null;
    this.#send = null;
  }

  /** Consumes AUTH_ACK or an ERROR about our AUTH; returns whether `frame` was one. */
  take(frame: Frame): boolean {
    const c = frame.command;
    if (c?.case !== 'system' || this.#pendingAuthId === null) return false;
    if (c.value.type === SystemType.AUTH_ACK && frame.messageId === this.#pendingAuthId) {
      this.#pendingAuthId = null;
      const exp = Number(metaText(c.value.metadata, 'expires_at') ?? 0);
      if (this.token && exp > 0) this.token.expiresAt = exp;
      this.#schedule();
      return true;
    }
    if (c.value.type === SystemType.ERROR && metaText(c.value.metadata, SystemKey.REF) === this.#pendingAuthId) {
      this.#pendingAuthId = null;
      this.#d.onRejected(c.value.message || 'the refreshed token was refused');
      return true;
    }
    return false;
  }

  #schedule(): void {
    const clock = this.#d.clock;
    if (this.#timer !== null) clock.clearTimeout(this.#timer);
    this.#timer = null;
    const at = refreshAt(this.token, clock.wallNow());
    if (at === null || !this.#d.provider || !this.#send) return;
    this.#timer = clock.setTimeout(() => void this.#refresh(), at - clock.wallNow());
  }

  async #refresh(): Promise<void> {
    this.#timer = null;
    const generation = this.#generation;
    let info: TokenInfo | null;
    try {
      info = await fetchToken(this.#d.provider, 'refresh');
    } catch (e) {
      this.#d.onError(e);
      return;
    }
    const send = this.#send;
    if (generation !== this.#generation || !send || !info) return;
    this.token = info;
    const id = this.#d.newId(this.#d.clock.wallNow());
    this.#pendingAuthId = id;
    try {
      send([systemFrame(SystemType.AUTH, { metadata: { token: info.token } }, { messageId: id })]);
    } catch {
      // The link is closing; the reconnect asks the provider again.
    }
  }
}
