/**
 * The certificate hash WebTransport dials a development server with
 * (`serverCertificateHashes`), kept current. A development server makes a new
 * self-signed certificate every time it starts, so a hash given once goes
 * stale at its first restart: every WebTransport dial then fails, and the
 * connection would stay on WebSocket for good. With a hash URL (the
 * reference server serves `GET /cert-hash`: the hex SHA-256 as plain text),
 * the hash is fetched before the first dial when none is known and fetched
 * again before the next dial after any WebTransport dial failed.
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';

/** What the WebTransport transport asks before and tells after a dial. */
export interface CertHashSource {
  /** The hash for the next dial (null: dial without one); fetches first when the last dial failed. */
  forDial(signal?: AbortSignal): Promise<string | null>;
  /** A dial with `hash` failed: the next dial fetches the hash again. */
  dialFailed(hash: string | null): void;
}

/** Options of `FetchedCertHash`. */
export interface FetchedCertHashOptions {
  /** Where the hex SHA-256 is served (the reference server: `<url>/cert-hash`). */
  url: string;
  /** A hash to start with (null: fetched before the first dial). */
  initial?: string | null;
  /** The fetch function (default globalThis.fetch); injected by tests. */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** A fetch taking longer is abandoned (default 5000 ms). */
  timeoutMs?: number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** A hash kept current from a URL. Concurrent dials share one fetch. */
export class FetchedCertHash implements CertHashSource {
  readonly url: string;
  readonly #fetch: (url: string, init: RequestInit) => Promise<Response>;
  readonly #timeoutMs: number;
  #hash: string | null;
  #stale: boolean;
  #pending: Promise<string | null> | null = null;
  #fetches = 0;

  constructor(options: FetchedCertHashOptions) {
    this.url = options.url;
    this.#fetch = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#hash = normalize(options.initial ?? null);
    this.#stale = this.#hash === null;
  }

  /** The hash the next dial uses if nothing is fetched. */
  get current(): string | null {
    return this.#hash;
  }

  /** Fetches made so far. */
  get fetches(): number {
    return this.#fetches;
  }

  forDial(signal?: AbortSignal): Promise<string | null> {
    if (!this.#stale) return Promise.resolve(this.#hash);
    this.#pending ??= this.#refresh().finally(() => (this.#pending = null));
    if (!signal) return this.#pending;
    // One fetch for every dial waiting on it; each dial still ends when its own signal aborts.
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(new FlareError(ErrorCode.ABORTED, 'dial aborted', { cause: signal.reason }));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#pending!.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  dialFailed(hash: string | null): void {
    // A dial that used an older hash says nothing about one fetched since.
    if (hash === this.#hash) this.#stale = true;
  }

  /** Fetches the hash; on any failure the last known one stays (and stays stale). */
  async #refresh(): Promise<string | null> {
    this.#fetches++;
    try {
      const res = await this.#fetch(this.url, { cache: 'no-store', signal: AbortSignal.timeout(this.#timeoutMs) });
      const hash = res.ok ? normalize(await res.text()) : null;
      if (hash !== null) {
        this.#hash = hash;
        this.#stale = false;
      }
    } catch {
      // Unreachable or too slow: dial with what we have; the dial reports the real failure.
    }
    return this.#hash;
  }
}

/** Lowercase hex of a SHA-256 (colons and whitespace allowed in the input), or null when it is not one. */
function normalize(text: string | null): string | null {
  if (text === null) return null;
  const hex = text.trim().replace(/:/g, '').toLowerCase();
  return SHA256_HEX.test(hex) ? hex : null;
}
