/**
 * PIDF (RFC 3863) checks and merging: several publications of one presentity
 * (one per device) become one document with all their tuples and person
 * elements, as a presence server composes them for a watcher. Each copied
 * element carries the namespace declarations of its source root, so prefixes
 * chosen by different publishers cannot clash.
 */
import { XMLValidator } from 'fast-xml-parser';

const PIDF_NS = 'urn:ietf:params:xml:ns:pidf';

interface Root {
  readonly prefix: string;
  readonly nsDecls: ReadonlyArray<readonly [string, string]>;
  readonly inner: string;
}

/** Undefined when the body is a well-formed PIDF document, else why not. */
export function pidfProblem(xml: string): string | undefined {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return `Malformed XML: ${valid.err.msg}`;
  const root = parseRoot(xml);
  if (!root) return 'Root element is not <presence>';
  return undefined;
}

const ATTR = /([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/g;

function parseRoot(xml: string): Root | undefined {
  let i = skipMisc(xml, 0);
  if (xml[i] !== '<') return undefined;
  const end = tagEnd(xml, i);
  if (end < 0) return undefined;
  const startTag = xml.slice(i, end + 1);
  const m = /^<([A-Za-z_][\w.-]*:)?presence[\s/>]/.exec(startTag);
  if (!m) return undefined;
  const prefix = m[1] ?? '';
  const nsDecls: Array<[string, string]> = [];
  for (const a of startTag.matchAll(ATTR)) {
    const name = a[1] as string;
    if (name === 'xmlns' || name.startsWith('xmlns:')) nsDecls.push([name, a[3] ?? a[4] ?? '']);
  }
  if (startTag.endsWith('/>')) return { prefix, nsDecls, inner: '' };
  const close = xml.lastIndexOf(`</${prefix}presence`);
  if (close < end) return undefined;
  i = end + 1;
  return { prefix, nsDecls, inner: xml.slice(i, close) };
}

/** Skips the XML declaration, comments, processing instructions, doctype and whitespace. */
function skipMisc(s: string, from: number): number {
  let i = from;
  for (;;) {
    while (i < s.length && /\s/.test(s[i] as string)) i++;
    if (s.startsWith('<?', i)) i = endOf(s, i, '?>');
    else if (s.startsWith('<!--', i)) i = endOf(s, i, '-->');
    else if (s.startsWith('<!', i)) i = endOf(s, i, '>');
    else return i;
    if (i < 0) return s.length;
  }
}

function endOf(s: string, from: number, marker: string): number {
  const at = s.indexOf(marker, from);
  return at < 0 ? -1 : at + marker.length;
}

/** Index of the `>` closing the tag that starts at `from`, honouring quoted attribute values. */
function tagEnd(s: string, from: number): number {
  let quote: string | undefined;
  for (let i = from + 1; i < s.length; i++) {
    const c = s[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  return -1;
}

interface Element {
  readonly name: string;
  readonly text: string;
  /** where the start tag's name ends: namespace declarations are inserted there */
  readonly nameEnd: number;
}

/** The top-level elements of a fragment (comments, text and PIs between them dropped). */
export function topLevelElements(fragment: string): Element[] {
  const out: Element[] = [];
  let i = 0;
  while (i < fragment.length) {
    const lt = fragment.indexOf('<', i);
    if (lt < 0) break;
    if (fragment.startsWith('<!--', lt)) {
      i = endOf(fragment, lt, '-->');
    } else if (fragment.startsWith('<![CDATA[', lt)) {
      i = endOf(fragment, lt, ']]>');
    } else if (fragment.startsWith('<?', lt) || fragment.startsWith('<!', lt)) {
      i = endOf(fragment, lt, '>');
    } else if (fragment[lt + 1] === '/') {
      i = endOf(fragment, lt, '>');
    } else {
      const end = elementEnd(fragment, lt);
      if (end < 0) break;
      const name = /^<([^\s/>]+)/.exec(fragment.slice(lt))?.[1] ?? '';
      out.push({ name, text: fragment.slice(lt, end), nameEnd: 1 + name.length });
      i = end;
    }
    if (i < 0) break;
  }
  return out;
}

/** End (exclusive) of the element starting at `from`, tracking nesting depth. */
function elementEnd(s: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < s.length) {
    const lt = s.indexOf('<', i);
    if (lt < 0) return -1;
    if (s.startsWith('<!--', lt)) {
      i = endOf(s, lt, '-->');
    } else if (s.startsWith('<![CDATA[', lt)) {
      i = endOf(s, lt, ']]>');
    } else if (s.startsWith('<?', lt) || s.startsWith('<!', lt)) {
      i = endOf(s, lt, '>');
    } else {
      const gt = tagEnd(s, lt);
      if (gt < 0) return -1;
      if (s[lt + 1] === '/') depth--;
      else if (s[gt - 1] !== '/') depth++;
      i = gt + 1;
      if (depth === 0) return i;
    }
    if (i < 0) return -1;
  }
  return -1;
}

function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon < 0 ? qname : qname.slice(colon + 1);
}

function withNamespaces(el: Element, decls: ReadonlyArray<readonly [string, string]>): string {
  const startTag = el.text.slice(0, tagEnd(el.text, 0) + 1);
  const own = new Set([...startTag.matchAll(ATTR)].map((a) => a[1]));
  const extra = decls
    .filter(([name]) => !own.has(name))
    .map(([name, uri]) => ` ${name}="${uri}"`)
    .join('');
  return el.text.slice(0, el.nameEnd) + extra + el.text.slice(el.nameEnd);
}

/**
 * One document for a watcher. A single publication is passed through as
 * published; several are merged, tuples first (the PIDF schema's order).
 */
export function mergePidf(entity: string, docs: readonly string[]): string | undefined {
  if (docs.length === 0) return undefined;
  if (docs.length === 1) return docs[0];
  const tuples: string[] = [];
  const others: string[] = [];
  for (const doc of docs) {
    const root = parseRoot(doc);
    if (!root) continue;
    for (const el of topLevelElements(root.inner)) {
      const text = withNamespaces(el, root.nsDecls);
      if (localName(el.name) === 'tuple') tuples.push(text);
      else others.push(text);
    }
  }
  const children = [...tuples, ...others].map((c) => `  ${c}`).join('\n');
  const ent = entity.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="${PIDF_NS}" entity="${ent}">\n${children}\n</presence>\n`;
}
