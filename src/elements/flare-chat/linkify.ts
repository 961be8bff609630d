/**
 * Splits untrusted message text into plain-text and link segments. Only absolute `http:` and
 * `https:` URLs become links, and only after the WHATWG URL parser agrees on the scheme: `javascript:`,
 * `data:`, `vbscript:` and everything else stay text. The segments are rendered with Lit bindings
 * (text nodes and an attribute), so no part of the text is ever parsed as HTML.
 */

/** A piece of message text. */
export type TextSegment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

/**
 * Candidate URLs: `http(s)://` then anything up to whitespace, a quote or angle bracket, a control
 * character, or CJK punctuation and full-width forms (Chinese text often follows a URL without a space).
 */
const CANDIDATE = /\bhttps?:\/\/[^\s<>"'`\u0000-\u001f\u007f\u3000-\u303f\uff00-\uffef]+/gi;
/** Characters that usually end a sentence rather than a URL. */
const TRAILING = new Set([...'.,;:!?\'"»”’。，；：！？、)]}>']);

/** The href to use for `candidate`, or null when it is not a plain http(s) URL. */
export function safeHref(candidate: string): string | null {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (!url.hostname) return null;
  return url.href;
}

/** Drops sentence punctuation after a URL, keeping a ")" that closes a "(" of the URL (`…/wiki/Flare_(x)`). */
function trimTrailing(raw: string): string {
  let end = raw.length;
  while (end > 0 && TRAILING.has(raw[end - 1]!)) {
    if (raw[end - 1] === ')') {
      const body = raw.slice(0, end);
      if ((body.match(/\(/g) ?? []).length >= (body.match(/\)/g) ?? []).length) break;
    }
    end -= 1;
  }
  return raw.slice(0, end);
}

/** Segments of `text`, in order; concatenating their `text` gives back the input. */
export function linkify(text: string): TextSegment[] {
  const out: TextSegment[] = [];
  let last = 0;
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(text); m; m = CANDIDATE.exec(text)) {
    const raw = trimTrailing(m[0]);
    const href = safeHref(raw);
    if (!href) continue;
    if (m.index > last) out.push({ kind: 'text', text: text.slice(last, m.index) });
    out.push({ kind: 'link', text: raw, href });
    last = m.index + raw.length;
    CANDIDATE.lastIndex = last;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return out;
}
