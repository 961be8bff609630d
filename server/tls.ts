/**
 * The server's TLS identity: a real certificate and key from files, or a
 * development certificate (ECDSA P-256, valid under 14 days) made at start and
 * renewed before it expires. `GET /cert-hash` publishes the SHA-256 of the
 * current certificate for WebTransport's `serverCertificateHashes`.
 */
import { createSelfSignedCert } from './x509.ts';

export interface TlsIdentity {
  cert: string;
  key: string;
  /** SHA-256 of the leaf certificate's DER bytes, lowercase hex. */
  sha256Hex: string;
  notAfter: Date | null;
  /** True for the development certificate made by this process. */
  development: boolean;
}

export function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** The DER bytes of the first certificate in a PEM chain. */
export function firstPemDer(pem: string): Uint8Array<ArrayBuffer> {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  if (!m) throw new Error('no PEM certificate found');
  const bin = atob(m[1]!.replace(/\s+/g, ''));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Reads a certificate chain and key from PEM files. */
export async function loadIdentity(certFile: string, keyFile: string): Promise<TlsIdentity> {
  const [cert, key] = await Promise.all([Deno.readTextFile(certFile), Deno.readTextFile(keyFile)]);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', firstPemDer(cert)));
  return { cert, key, sha256Hex: hex(digest), notAfter: null, development: false };
}

/** Makes a development identity for localhost, 127.0.0.1 and ::1. */
export async function developmentIdentity(validityMs: number, now = Date.now()): Promise<TlsIdentity> {
  const c = await createSelfSignedCert({ validityMs, now });
  return { cert: c.cert, key: c.key, sha256Hex: hex(c.sha256), notAfter: c.notAfter, development: true };
}

export interface CertManagerOptions {
  validityMs: number;
  renewBeforeMs: number;
  /** Called with the new identity after a renewal (the QUIC listener re-listens with it). */
  onRenew: (identity: TlsIdentity) => void | Promise<void>;
  onError?: (e: unknown) => void;
  /** Injectable clock (tests). */
  now?: () => number;
}

/** Holds the current identity and, for a development certificate, renews it on time. */
export class CertManager {
  #identity: TlsIdentity;
  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #opts: CertManagerOptions;
  readonly #now: () => number;

  constructor(identity: TlsIdentity, options: CertManagerOptions) {
    this.#identity = identity;
    this.#opts = options;
    this.#now = options.now ?? (() => Date.now());
    this.#schedule();
  }

  get identity(): TlsIdentity {
    return this.#identity;
  }

  /** Replaces a development certificate now (also what the timer does). */
  async renew(): Promise<TlsIdentity> {
    const next = await developmentIdentity(this.#opts.validityMs, this.#now());
    this.#identity = next;
    await this.#opts.onRenew(next);
    this.#schedule();
    return next;
  }

  /** When the current certificate will be renewed (Unix ms), or null for certificates from files. */
  get renewsAt(): number | null {
    const { notAfter, development } = this.#identity;
    return development && notAfter ? notAfter.getTime() - this.#opts.renewBeforeMs : null;
  }

  #schedule(): void {
    this.stop();
    const at = this.renewsAt;
    if (at === null) return;
    // setTimeout holds at most 2^31-1 ms (~24.8 days); validity is under 14 days.
    const due = Math.max(0, Math.min(at - this.#now(), 2 ** 31 - 1));
    this.#timer = setTimeout(() => {
      this.renew().catch((e) => this.#opts.onError?.(e));
    }, due);
    Deno.unrefTimer(this.#timer as unknown as number);
  }

  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
