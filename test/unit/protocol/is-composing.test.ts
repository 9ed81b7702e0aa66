import { describe, expect, it } from 'vitest';
import { encodeIsComposing, parseIsComposing } from '../../../wire/is-composing.js';

const NS = 'urn:ietf:params:xml:ns:im-iscomposing';
const doc = (inner: string, root = `isComposing xmlns="${NS}"`, close = '</isComposing>') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root}>${inner}${close}`;

describe('isComposing (RFC 3994)', () => {
  it('round-trips what we send, and reads what other clients send (prefixes, extensions, no refresh)', () => {
    expect(parseIsComposing(encodeIsComposing({ state: 'active', refresh: 60 }))).toEqual({
      ok: true,
      composing: { state: 'active', refresh: 60 },
    });
    expect(parseIsComposing(encodeIsComposing({ state: 'idle' }))).toEqual({
      ok: true,
      composing: { state: 'idle' },
    });
    const prefixed = `<c:isComposing xmlns:c="${NS}"><c:state> idle </c:state><c:lastactive>2027-01-01T00:00:00Z</c:lastactive></c:isComposing>`;
    expect(parseIsComposing(prefixed)).toEqual({ ok: true, composing: { state: 'idle' } });
    const extended = doc('<state>active</state><x:mood xmlns:x="urn:example">busy</x:mood>');
    expect(parseIsComposing(extended)).toEqual({ ok: true, composing: { state: 'active' } });
  });

  it('refuses each kind of broken document with 400 and a reason', () => {
    const cases: Array<[string, string]> = [
      [doc('<state>active</state>', `isComposing xmlns="${NS}"`, ''), 'Malformed isComposing XML'],
      [
        doc('<state>active</state>', `isComposing xmlns="${NS}"`, '</isComposing'),
        'Malformed isComposing XML',
      ],
      [doc('<state>active</stat>'), 'Malformed isComposing XML'],
      [`<!DOCTYPE x [<!ENTITY a "aaaa">]>${doc('<state>active</state>')}`, 'Malformed isComposing XML'],
      [`${doc('<state>active</state>')}<isComposing/>`, 'Malformed isComposing XML'],
      ['', 'Malformed isComposing XML'],
      [doc('<state>active</state>', 'isComposing', '</isComposing>'), 'Not An isComposing Document'],
      [doc('<state>active</state>', 'isComposing xmlns="urn:other"'), 'Not An isComposing Document'],
      [
        doc('<state>active</state>', `composing xmlns="${NS}"`, '</composing>'),
        'Not An isComposing Document',
      ],
      [doc('<state>active</state><typing>yes</typing>'), 'Unknown isComposing Element'],
      [doc('<state>typing</state>'), 'Invalid isComposing State'],
      [doc(''), 'Invalid isComposing State'],
      [doc('<state>active</state><state>idle</state>'), 'Invalid isComposing State'],
      [doc('<state>active</state><refresh>0</refresh>'), 'Invalid isComposing Refresh'],
      [doc('<state>active</state><refresh>-5</refresh>'), 'Invalid isComposing Refresh'],
      [doc('<state>active</state><refresh>soon</refresh>'), 'Invalid isComposing Refresh'],
      [doc('<state>active</state><refresh>99999</refresh>'), 'Invalid isComposing Refresh'],
      [doc('<state>active</state><refresh>5</refresh><refresh>6</refresh>'), 'Invalid isComposing Refresh'],
    ];
    for (const [body, reason] of cases)
      expect(parseIsComposing(body), body).toEqual({ ok: false, status: 400, reason });
  });

  it('refuses a document over 4 KiB with 413, and a nesting bomb without throwing', () => {
    const big = doc(`<state>active</state><!--${'x'.repeat(5000)}-->`);
    expect(parseIsComposing(big)).toEqual({
      ok: false,
      status: 413,
      reason: 'isComposing Document Too Large',
    });
    // Well-formed and under the size limit, but 300 levels deep.
    const bomb = doc(`<state>active</state>${'<a>'.repeat(300)}${'</a>'.repeat(300)}`);
    expect(parseIsComposing(bomb)).toMatchObject({ ok: false, status: 400 });
  });
});
