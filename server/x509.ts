/**
 * A self-signed X.509 v3 certificate for an ECDSA P-256 key (RFC 5280, DER per
 * X.690), built with WebCrypto alone: the development certificate that Chromium
 * accepts through WebTransport's `serverCertificateHashes` (ECDSA, validity
 * at most 14 days).
 */

/** A certificate and its private key, PEM-encoded, with facts about them. */
export interface SelfSignedCert {
  /** The certificate, PEM. */
  cert: string;
  /** The private key, PKCS#8 PEM. */
  key: string;
  /** The certificate's DER bytes. */
  der: Uint8Array<ArrayBuffer>;
  /** SHA-256 of the DER bytes (what `serverCertificateHashes` takes). */
  sha256: Uint8Array<ArrayBuffer>;
  notBefore: Date;
  notAfter: Date;
}

export interface SelfSignedOptions {
  /** DNS names for subjectAltName; the first is also the common name. */
  dnsNames?: string[];
  /** IP addresses (v4 dotted or v6 with colons) for subjectAltName. */
  ipAddresses?: string[];
  /** Validity in milliseconds (default 13 days: under Chromium's 14-day rule). */
  validityMs?: number;
  /** Start of validity (default: now minus one hour, to tolerate clock skew). */
  now?: number;
}

type Der = Uint8Array<ArrayBuffer>;

function concat(parts: readonly Der[]): Der {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function tlv(tag: number, ...content: Der[]): Der {
  const body = concat(content);
  const len = body.length;
  let head: number[];
  if (len < 0x80) head = [tag, len];
  else if (len < 0x100) head = [tag, 0x81, len];
  else if (len < 0x10000) head = [tag, 0x82, len >> 8, len & 0xff];
  else head = [tag, 0x83, len >> 16, (len >> 8) & 0xff, len & 0xff];
  return concat([new Uint8Array(head), body]);
}

const seq = (...c: Der[]) => tlv(0x30, ...c);
const set = (...c: Der[]) => tlv(0x31, ...c);
const octets = (b: Der) => tlv(0x04, b);
const utf8 = (s: string) => tlv(0x0c, new TextEncoder().encode(s) as Der);

/** A DER INTEGER from unsigned big-endian bytes (minimal, positive). */
function uint(bytes: Uint8Array): Der {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const trimmed = bytes.subarray(i);
  const pad = trimmed[0]! & 0x80 ? [0] : [];
  return tlv(0x02, new Uint8Array([...pad, ...trimmed]));
}

function oid(dotted: string): Der {
  const parts = dotted.split('.').map(Number);
  const out = [40 * parts[0]! + parts[1]!];
  for (const v of parts.slice(2)) {
    const stack = [v & 0x7f];
    for (let x = v >>> 7; x > 0; x >>>= 7) stack.unshift((x & 0x7f) | 0x80);
    out.push(...stack);
  }
  return tlv(0x06, new Uint8Array(out));
}

function time(d: Date): Der {
  const p = (n: number) => String(n).padStart(2, '0');
  const body = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  const year = d.getUTCFullYear();
  // UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5).
  return year < 2050
    ? tlv(0x17, new TextEncoder().encode(p(year % 100) + body) as Der)
    : tlv(0x18, new TextEncoder().encode(String(year) + body) as Der);
}

function ipBytes(ip: string): Der {
  if (ip.includes(':')) {
    const [head, tail] = ip.split('::') as [string, string | undefined];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
    const out = new Uint8Array(16);
    groups.forEach((g, i) => {
      const v = parseInt(g, 16);
      out[2 * i] = v >> 8;
      out[2 * i + 1] = v & 0xff;
    });
    return out;
  }
  return new Uint8Array(ip.split('.').map(Number));
}

/** Raw ECDSA r||s (WebCrypto's output) as a DER Ecdsa-Sig-Value. */
function ecdsaDer(raw: Uint8Array): Der {
  const half = raw.length / 2;
  return seq(uint(raw.subarray(0, half)), uint(raw.subarray(half)));
}

function pem(label: string, der: Uint8Array): string {
  let b64 = '';
  const chunk = 0x8000;
  let bin = '';
  for (let i = 0; i < der.length; i += chunk) bin += String.fromCharCode(...der.subarray(i, i + chunk));
  b64 = btoa(bin);
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

/** Makes a fresh ECDSA P-256 key and a self-signed certificate for it. */
export async function createSelfSignedCert(options: SelfSignedOptions = {}): Promise<SelfSignedCert> {
  const dnsNames = options.dnsNames ?? ['localhost'];
  const ips = options.ipAddresses ?? ['127.0.0.1', '::1'];
  const start = (options.now ?? Date.now()) - 60 * 60 * 1000;
  const notBefore = new Date(Math.floor(start / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + (options.validityMs ?? 13 * 24 * 60 * 60 * 1000));

  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey));
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keys.privateKey));

  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0]! &= 0x7f;
  serial[0]! |= 0x01; // non-zero, positive
  const name = seq(set(seq(oid('2.5.4.3'), utf8(dnsNames[0] ?? 'localhost'))));
  const algorithm = seq(oid(ECDSA_WITH_SHA256));
  const altNames = seq(
    ...dnsNames.map((d) => tlv(0x82, new TextEncoder().encode(d) as Der)),
    ...ips.map((ip) => tlv(0x87, ipBytes(ip))),
  );
  const extensions = tlv(
    0xa3,
    seq(
      seq(oid('2.5.29.19'), octets(seq())), // basicConstraints: not a CA
      seq(oid('2.5.29.15'), tlv(0x01, new Uint8Array([0xff])), octets(tlv(0x03, new Uint8Array([0x07, 0x80])))), // keyUsage: digitalSignature (critical)
      seq(oid('2.5.29.37'), octets(seq(oid('1.3.6.1.5.5.7.3.1')))), // extKeyUsage: serverAuth
      seq(oid('2.5.29.17'), octets(altNames)), // subjectAltName
    ),
  );
  const tbs = seq(
    tlv(0xa0, uint(new Uint8Array([2]))), // version v3
    uint(serial),
    algorithm,
    name,
    seq(time(notBefore), time(notAfter)),
    name,
    spki,
    extensions,
  );
  const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, tbs));
  const der = seq(tbs, algorithm, tlv(0x03, new Uint8Array([0]), ecdsaDer(raw)));
  const sha256 = new Uint8Array(await crypto.subtle.digest('SHA-256', der));
  return { cert: pem('CERTIFICATE', der), key: pem('PRIVATE KEY', pkcs8), der, sha256, notBefore, notAfter };
}
