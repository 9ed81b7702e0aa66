/**
 * The small, defensive XML layer under the PIDF codec: escaping for the encoder,
 * and a parser that turns untrusted text into a plain element tree or a precise
 * error, never an exception. It uses fast-xml-parser for tokenizing, with entity
 * processing OFF: references are decoded here (the five predefined ones and
 * numeric ones), so no DOCTYPE-defined entity can ever be expanded.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface XmlElement {
  /** Qualified name as written, e.g. `rpid:activities`. */
  readonly name: string;
  /** Name without prefix, e.g. `activities`. Matching is done on this. */
  readonly local: string;
  /** Attributes by qualified name, values decoded. */
  readonly attrs: ReadonlyMap<string, string>;
  /** Child elements in document order. */
  readonly children: readonly XmlElement[];
  /** Direct character data (text and CDATA) concatenated, decoded, not trimmed. */
  readonly text: string;
}

export type XmlParseResult = { ok: true; root: XmlElement } | { ok: false; error: string };

/** fast-xml-parser refuses deeper documents; a PIDF document is about 6 levels deep. */
const MAX_DEPTH = 64;

// Characters that XML 1.0 cannot carry at all, not even as a reference: C0 controls
// other than tab/LF/CR, U+FFFE/U+FFFF, and unpaired surrogates.
const INVALID_XML_CHARS = new RegExp(
  [
    '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]',
    '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])',
    '(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]',
  ].join('|'),
  'g',
);

/** Removes characters XML 1.0 cannot represent (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/F). */
export function stripInvalidXmlChars(text: string): string {
  return text.replace(INVALID_XML_CHARS, '');
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#13;',
};

/**
 * Escapes text for element content and attribute values alike: & < > " ' (and CR,
 * which a parser would otherwise normalize away). Unrepresentable characters are dropped.
 */
export function escapeXml(text: string): string {
  return stripInvalidXmlChars(text).replace(/[&<>"'\r]/g, (c) => ESCAPES[c] ?? c);
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/**
 * Decodes the predefined and numeric character references. A numeric reference
 * to a character XML forbids becomes U+FFFD; an unknown named reference (`&nbsp;`,
 * an entity some DTD would define) is kept literally: we never expand DTD entities.
 */
export function decodeXmlText(raw: string): string {
  if (!raw.includes('&')) return stripInvalidXmlChars(raw);
  const decoded = raw.replace(
    /&(#x[0-9a-fA-F]{1,8}|#[0-9]{1,10}|[A-Za-z_][\w.-]{0,63});/g,
    (whole, ref: string) => {
      if (ref.startsWith('#')) {
        const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        return isXmlChar(cp) ? String.fromCodePoint(cp) : '\uFFFD';
      }
      return PREDEFINED[ref] ?? whole;
    },
  );
  return stripInvalidXmlChars(decoded);
}

export function localName(qualified: string): string {
  const colon = qualified.lastIndexOf(':');
  return colon === -1 ? qualified : qualified.slice(colon + 1);
}

/**
 * Finds markup declarations (`<!DOCTYPE`, `<!ENTITY`, ...) outside comments and
 * CDATA sections. Returns the reason to refuse the document, or undefined.
 */
export function findMarkupDeclaration(xml: string): string | undefined {
  let pos = 0;
  for (;;) {
    const at = xml.indexOf('<!', pos);
    if (at === -1) return undefined;
    if (xml.startsWith('<!--', at)) {
      const end = xml.indexOf('-->', at + 4);
      if (end === -1) return undefined; // unterminated comment: the validator reports it
      pos = end + 3;
    } else if (xml.startsWith('<![CDATA[', at)) {
      const end = xml.indexOf(']]>', at + 9);
      if (end === -1) return undefined;
      pos = end + 3;
    } else {
      const keyword = /^<!([A-Za-z]*)/.exec(xml.slice(at, at + 20))?.[1] ?? '';
      if (keyword.toUpperCase() === 'DOCTYPE') return 'DOCTYPE not allowed';
      return `markup declaration <!${keyword} not allowed`;
    }
  }
}

/**
 * The validator lets text after a self-closing root pass (`<a/>junk`) and the parser
 * drops it: check that, after trailing comments, PIs and whitespace, the document
 * ends with the root element's own end (`</name>` or `<name .../>`).
 */
function endsWithRoot(xml: string, rootName: string): boolean {
  let end = xml.trimEnd();
  for (;;) {
    if (end.endsWith('-->')) end = end.slice(0, Math.max(0, end.lastIndexOf('<!--'))).trimEnd();
    else if (end.endsWith('?>')) end = end.slice(0, Math.max(0, end.lastIndexOf('<?'))).trimEnd();
    else break;
  }
  const name = rootName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const closing = new RegExp(`</${name}\\s*>$`);
  const empty = new RegExp(`<${name}(?:\\s(?:[^<>"']|"[^"]*"|'[^']*')*)?/>$`);
  return closing.test(end) || empty.test(end);
}

const TEXT = '#text';
const CDATA = '#cdata';
const ATTRS = ':@';

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: CDATA,
  commentPropName: false,
  maxNestedTags: MAX_DEPTH,
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class TreeError extends Error {}

/** Raw text of the `#text` entries of a preserveOrder child list (used for CDATA content). */
function rawText(entries: unknown): string {
  if (!Array.isArray(entries)) return '';
  let out = '';
  for (const entry of entries) {
    if (isRecord(entry) && typeof entry[TEXT] === 'string') out += entry[TEXT];
  }
  return out;
}

function toElement(name: string, content: unknown, attrsRaw: unknown, depth: number): XmlElement {
  if (depth > MAX_DEPTH) throw new TreeError(`elements nested deeper than ${MAX_DEPTH} levels`);
  const attrs = new Map<string, string>();
  if (isRecord(attrsRaw)) {
    for (const [key, value] of Object.entries(attrsRaw)) {
      if (typeof value === 'string') attrs.set(key, decodeXmlText(value));
    }
  }
  const children: XmlElement[] = [];
  let text = '';
  if (Array.isArray(content)) {
    for (const entry of content) {
      if (!isRecord(entry)) continue;
      for (const [key, value] of Object.entries(entry)) {
        if (key === ATTRS) continue;
        if (key === TEXT) {
          if (typeof value === 'string') text += decodeXmlText(value);
        } else if (key === CDATA) {
          text += stripInvalidXmlChars(rawText(value));
        } else {
          children.push(toElement(key, value, entry[ATTRS], depth + 1));
        }
      }
    }
  }
  return { name, local: localName(name), attrs, children, text };
}

/**
 * Parses a complete XML document into its root element. Refuses markup
 * declarations (DOCTYPE and the like), malformed XML, and more than one root.
 * Never throws.
 */
export function parseXml(xml: string): XmlParseResult {
  try {
    const declaration = findMarkupDeclaration(xml);
    if (declaration !== undefined) return { ok: false, error: declaration };
    const valid = XMLValidator.validate(xml);
    if (valid !== true) {
      const { msg, line, col } = valid.err;
      const where = col === undefined ? `line ${line}` : `line ${line}, col ${col}`;
      return { ok: false, error: `malformed XML: ${msg} (${where})` };
    }
    const parsed: unknown = parser.parse(xml);
    if (!Array.isArray(parsed)) return { ok: false, error: 'malformed XML: no content' };
    const roots: XmlElement[] = [];
    for (const entry of parsed) {
      if (!isRecord(entry)) continue;
      for (const [key, value] of Object.entries(entry)) {
        if (key === ATTRS) continue;
        if (key === TEXT || key === CDATA) {
          if (typeof value === 'string' && value.trim() !== '') {
            return { ok: false, error: 'malformed XML: text outside the root element' };
          }
          continue;
        }
        roots.push(toElement(key, value, entry[ATTRS], 1));
      }
    }
    const [root, extra] = roots;
    if (root === undefined) return { ok: false, error: 'malformed XML: no root element' };
    if (extra !== undefined) return { ok: false, error: 'malformed XML: more than one root element' };
    if (!endsWithRoot(xml, root.name))
      return { ok: false, error: 'malformed XML: text after the root element' };
    return { ok: true, root };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: err instanceof TreeError ? message : `malformed XML: ${message}` };
  }
}
