import { describe, expect, it } from 'vitest';
import { linkify, safeLinkUrl, type Segment } from '../../../renderer/shared/linkify.js';
import { safeExternalUrl } from '../../../wire/links.js';

const links = (segments: Segment[]) => segments.filter((s) => s.kind === 'link').map((s) => s.url);
const joined = (segments: Segment[]) => segments.map((s) => s.text).join('');

describe('linkify', () => {
  it('keeps plain text as one text segment', () => {
    expect(linkify('hello there')).toEqual([{ kind: 'text', text: 'hello there' }]);
    expect(linkify('')).toEqual([]);
  });

  it('turns https and mailto URLs into links, text around them into text', () => {
    const s = linkify('see https://example.com/a?b=1 and http://x.org, or mailto:kw@example.com.');
    expect(links(s)).toEqual(['https://example.com/a?b=1', 'mailto:kw@example.com']);
    expect(s[0]).toEqual({ kind: 'text', text: 'see ' });
    expect(s[1]).toEqual({
      kind: 'link',
      text: 'https://example.com/a?b=1',
      url: 'https://example.com/a?b=1',
    });
    expect(s[2]).toEqual({ kind: 'text', text: ' and http://x.org, or ' });
    expect(s[s.length - 1]).toEqual({ kind: 'text', text: '.' });
  });

  it('leaves http: URLs as plain text: main would refuse to open them', () => {
    for (const text of ['http://example.com', 'see http://example.com/a?b=1.', 'HTTP://EXAMPLE.COM/x']) {
      expect(links(linkify(text)), text).toEqual([]);
      expect(joined(linkify(text))).toBe(text);
    }
    expect(safeLinkUrl('http://example.com')).toBeNull();
  });

  it('keeps an http: URL whole as text, with no https: link cut out of it', () => {
    const text = 'http://example.com/?next=https://evil.example/x';
    expect(linkify(text)).toEqual([{ kind: 'text', text }]);
  });

  it('links only what main opens: every link passes wire/links.ts safeExternalUrl', () => {
    const text = [
      'https://example.com/a',
      'http://example.com/b',
      'https://',
      'mailto:kw@example.com',
      'mailto:',
      'https://user:pw@example.com:8443/p?q=1#f',
      'javascript:alert(1)',
      'HTTPS://Example.COM/Up',
    ].join(' ');
    const found = links(linkify(text));
    expect(found).toEqual([
      'https://example.com/a',
      'mailto:kw@example.com',
      'https://user:pw@example.com:8443/p?q=1#f',
      'https://example.com/Up',
    ]);
    for (const url of found) expect(safeExternalUrl(url)?.href, url).toBe(url);
  });

  it('never loses or changes a character of the text', () => {
    const text = 'a (https://example.com/x_(y)) b https://e.com/p. <c> mailto:x@y.z!';
    expect(joined(linkify(text))).toBe(text);
  });

  it('trims sentence punctuation and unbalanced brackets but keeps balanced ones', () => {
    expect(links(linkify('(see https://example.com/page)'))).toEqual(['https://example.com/page']);
    expect(links(linkify('https://en.wikipedia.org/wiki/Foo_(bar)!'))).toEqual([
      'https://en.wikipedia.org/wiki/Foo_(bar)',
    ]);
  });

  it('leaves markup as text: <img onerror>, <script>', () => {
    const img = '<img src=x onerror=alert(1)>';
    expect(linkify(img)).toEqual([{ kind: 'text', text: img }]);
    const script = "<script>alert('x')</script>";
    expect(linkify(script)).toEqual([{ kind: 'text', text: script }]);
  });

  it('does not link javascript:, data: or other schemes', () => {
    for (const text of [
      'javascript:alert(1)',
      'JavaScript:alert(document.cookie)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'vbscript:msgbox(1)',
      'ftp://example.com/x',
    ]) {
      expect(links(linkify(text))).toEqual([]);
      expect(joined(linkify(text))).toBe(text);
    }
  });

  it('does not let a URL swallow markup or quotes around it', () => {
    const s = linkify('<a href="https://evil.example/x">click</a>');
    expect(links(s)).toEqual(['https://evil.example/x']);
    expect(joined(s)).toBe('<a href="https://evil.example/x">click</a>');
  });

  it('rejects malformed candidates', () => {
    expect(safeLinkUrl('https://')).toBeNull();
    expect(safeLinkUrl('mailto:')).toBeNull();
    expect(safeLinkUrl('mailto:nobody')).toBeNull();
    expect(safeLinkUrl('javascript:alert(1)')).toBeNull();
    expect(safeLinkUrl('https://example.com')).toBe('https://example.com/');
    expect(safeLinkUrl('mailto:kw@example.com')).toBe('mailto:kw@example.com');
  });

  it('needs a word boundary: the scheme inside a word still starts a link only at the scheme', () => {
    expect(links(linkify('xhttps://example.com'))).toEqual([]);
  });
});
