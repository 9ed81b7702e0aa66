/**
 * Text from the network, made safe to show: explicit bidirectional controls
 * become visible markers (docs/decisions.md, "Network text in the UI"). A right-to-left
 * override (U+202E) in "file \u202Egpj.exe" would otherwise show it as
 * "file exe.jpg"; embeddings, isolates and marks can likewise reorder letters,
 * words or punctuation. Pure (no DOM): the <NetText> component renders the
 * parts as text nodes, and titles and labels use the joined string.
 */

export interface BidiControl {
  /** The control's usual abbreviation, shown in the marker: "RLO". */
  readonly abbr: string;
  /** What it is, for the marker's tooltip. */
  readonly name: string;
  /** "U+202E". */
  readonly codePoint: string;
}

export type NetPart =
  { readonly kind: 'text'; readonly text: string } | ({ readonly kind: 'control' } & BidiControl);

const CONTROLS: Readonly<Record<string, readonly [abbr: string, name: string]>> = {
  '\u202A': ['LRE', 'left-to-right embedding'],
  '\u202B': ['RLE', 'right-to-left embedding'],
  '\u202C': ['PDF', 'pop directional formatting'],
  '\u202D': ['LRO', 'left-to-right override'],
  '\u202E': ['RLO', 'right-to-left override'],
  '\u2066': ['LRI', 'left-to-right isolate'],
  '\u2067': ['RLI', 'right-to-left isolate'],
  '\u2068': ['FSI', 'first strong isolate'],
  '\u2069': ['PDI', 'pop directional isolate'],
  // Marks too: a mark can turn a text right-to-left and so swap "jpg.exe" to "exe.jpg".
  '\u200E': ['LRM', 'left-to-right mark'],
  '\u200F': ['RLM', 'right-to-left mark'],
  '\u061C': ['ALM', 'Arabic letter mark'],
};

const CONTROL_RE = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;

/** The control a character is, or undefined for any other character. */
export function bidiControl(char: string): BidiControl | undefined {
  const known = CONTROLS[char];
  if (!known) return undefined;
  const hex = (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return { abbr: known[0], name: known[1], codePoint: `U+${hex}` };
}

/** The text as it is, cut around each bidi control; the controls themselves become `control` parts. */
export function splitBidiControls(text: string): NetPart[] {
  const parts: NetPart[] = [];
  let last = 0;
  for (const match of text.matchAll(CONTROL_RE)) {
    const control = bidiControl(match[0]);
    if (!control) continue;
    if (match.index > last) parts.push({ kind: 'text', text: text.slice(last, match.index) });
    parts.push({ kind: 'control', ...control });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}

/** How a control shows: "⟮RLO⟯" (the brackets are neutral, the letters left-to-right). */
export function bidiMarker(control: BidiControl): string {
  return `⟮${control.abbr}⟯`;
}

/** The text with every bidi control replaced by its visible marker: for titles, labels, announcements. */
export function neutralizeBidi(text: string): string {
  return text.replace(CONTROL_RE, (char) => {
    const control = bidiControl(char);
    return control ? bidiMarker(control) : char;
  });
}
