import { expect } from 'chai';
import { linkify, safeHref } from '../../src/elements/flare-chat/linkify.ts';

const links = (text: string) => linkify(text).filter((s) => s.kind === 'link').map((s) => (s.kind === 'link' ? s.href : ''));

describe('linkify: only http(s) URLs become links', () => {
  it('keeps the text intact: the segments concatenate to the input', () => {
    for (const text of ['plain', 'see https://a.example/x, then http://b.example.', '', 'https://x.example', 'a\nhttps://c.example/\tb']) {
      expect(linkify(text).map((s) => s.text).join('')).to.equal(text);
    }
  });

  it('links http and https with their normalised href', () => {
    expect(links('go to https://Example.com/a?b=1#c now')).to.deep.equal(['https://example.com/a?b=1#c']);
    expect(links('http://example.org')).to.deep.equal(['http://example.org/']);
  });

  it('never links javascript:, data:, vbscript:, file: or protocol-relative URLs', () => {
    const hostile = [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'java\nscript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      '//evil.example/x',
      'xhttps://evil.example',
    ];
    for (const text of hostile) expect(links(text), text).to.deep.equal([]);
    expect(safeHref('javascript:alert(1)')).to.equal(null);
    expect(safeHref('data:text/plain,hi')).to.equal(null);
    expect(safeHref('https://')).to.equal(null);
  });

  it('leaves sentence punctuation out but keeps a closing bracket that belongs to the URL', () => {
    expect(links('see https://a.example/x.')).to.deep.equal(['https://a.example/x']);
    expect(links('(https://a.example/x)')).to.deep.equal(['https://a.example/x']);
    expect(links('https://en.wikipedia.org/wiki/Flare_(software).')).to.deep.equal(['https://en.wikipedia.org/wiki/Flare_(software)']);
    expect(links('“https://a.example/q?x=1”!')).to.deep.equal(['https://a.example/q?x=1']);
  });

  it('stops at Chinese punctuation and quotes or angle brackets', () => {
    expect(links('看这个https://a.example/x，很好')).to.deep.equal(['https://a.example/x']);
    expect(links('<https://a.example/y>')).to.deep.equal(['https://a.example/y']);
    expect(links('"https://a.example/z"onmouseover="x"')).to.deep.equal(['https://a.example/z']);
  });

  it('finds several links', () => {
    expect(links('https://a.example and http://b.example/c')).to.deep.equal(['https://a.example/', 'http://b.example/c']);
  });
});
