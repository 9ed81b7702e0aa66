import { describe, expect, it } from 'vitest';
import {
  bidiControl,
  bidiMarker,
  neutralizeBidi,
  splitBidiControls,
  type NetPart,
} from '../../../renderer/shared/net-text.js';
import { initials } from '../../../renderer/shared/format.js';

/** Every explicit bidi control and mark, with the abbreviation its marker shows. */
const CONTROLS: ReadonlyArray<readonly [char: string, abbr: string, codePoint: string]> = [
  ['\u202A', 'LRE', 'U+202A'],
  ['\u202B', 'RLE', 'U+202B'],
  ['\u202C', 'PDF', 'U+202C'],
  ['\u202D', 'LRO', 'U+202D'],
  ['\u202E', 'RLO', 'U+202E'],
  ['\u2066', 'LRI', 'U+2066'],
  ['\u2067', 'RLI', 'U+2067'],
  ['\u2068', 'FSI', 'U+2068'],
  ['\u2069', 'PDI', 'U+2069'],
  ['\u200E', 'LRM', 'U+200E'],
  ['\u200F', 'RLM', 'U+200F'],
  ['\u061C', 'ALM', 'U+061C'],
];
const ANY_CONTROL = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u;

/** The text back from its parts, each control as the character it was. */
const rejoin = (parts: NetPart[]) =>
  parts
    .map((p) => (p.kind === 'text' ? p.text : String.fromCodePoint(parseInt(p.codePoint.slice(2), 16))))
    .join('');

describe('neutralizeBidi', () => {
  it('shows the right-to-left override of the finding instead of obeying it', () => {
    expect(neutralizeBidi('file \u202Egpj.exe')).toBe('file ⟮RLO⟯gpj.exe');
  });

  it('turns each explicit control and mark into its own marker, nothing left raw', () => {
    for (const [char, abbr, codePoint] of CONTROLS) {
      expect(neutralizeBidi(`a${char}b`), codePoint).toBe(`a⟮${abbr}⟯b`);
      expect(bidiControl(char)).toMatchObject({ abbr, codePoint });
    }
    const all = CONTROLS.map(([c]) => c).join('x');
    expect(neutralizeBidi(all)).not.toMatch(ANY_CONTROL);
    expect(neutralizeBidi(all)).toBe(CONTROLS.map(([, abbr]) => `⟮${abbr}⟯`).join('x'));
  });

  it('leaves every other text alone: right-to-left letters, joiners of emoji, astral characters, markup', () => {
    for (const text of [
      '',
      'Agent One',
      'שלום עולם',
      'مرحبا 42',
      '👩\u200D💻 dev',
      'a\u200Cb',
      '𠀀𠀁 ok',
      '<b>x</b> & "y"',
    ]) {
      expect(neutralizeBidi(text)).toBe(text);
    }
  });

  it('does not treat look-alikes of controls as controls', () => {
    expect(bidiControl('\u202F')).toBeUndefined();
    expect(bidiControl('\u2065')).toBeUndefined();
    expect(bidiControl('\u206A')).toBeUndefined();
    expect(bidiControl('\u200D')).toBeUndefined();
    expect(bidiControl('a')).toBeUndefined();
  });
});

describe('splitBidiControls', () => {
  it('cuts the text around each control; the controls become parts with their names', () => {
    expect(splitBidiControls('file \u202Egpj.exe')).toEqual([
      { kind: 'text', text: 'file ' },
      { kind: 'control', abbr: 'RLO', name: 'right-to-left override', codePoint: 'U+202E' },
      { kind: 'text', text: 'gpj.exe' },
    ]);
  });

  it('handles controls at the ends and next to each other, and text with none', () => {
    expect(splitBidiControls('')).toEqual([]);
    expect(splitBidiControls('plain')).toEqual([{ kind: 'text', text: 'plain' }]);
    const parts = splitBidiControls('\u2067\u202Eab\u202C\u2069');
    expect(parts.map((p) => (p.kind === 'text' ? p.text : p.abbr))).toEqual([
      'RLI',
      'RLO',
      'ab',
      'PDF',
      'PDI',
    ]);
  });

  it('loses no character: the parts put back together are the text (many mixed strings)', () => {
    const alphabet = ['a', 'ש', 'م', ' ', '.', '1', '😀', '\u200D', ...CONTROLS.map(([c]) => c)];
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let n = 0; n < 300; n++) {
      const text = Array.from({ length: next() % 24 }, () => alphabet[next() % alphabet.length]).join('');
      const parts = splitBidiControls(text);
      expect(rejoin(parts), JSON.stringify(text)).toBe(text);
      for (const p of parts) if (p.kind === 'text') expect(p.text).not.toMatch(ANY_CONTROL);
      const markers = parts.map((p) => (p.kind === 'text' ? p.text : bidiMarker(p))).join('');
      expect(markers).toBe(neutralizeBidi(text));
    }
  });
});

describe('initials of network names', () => {
  it('skips bidi controls and punctuation in front of a word, and keeps whole code points', () => {
    expect(initials('\u202EAlex \u2067Agent')).toBe('AA');
    expect(initials('(Bob) Smith')).toBe('BS');
    expect(initials('𠀀bc')).toBe('𠀀');
    expect(initials('\u202E\u202C')).toBe('?');
  });
});
