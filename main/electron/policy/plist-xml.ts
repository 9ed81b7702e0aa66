/**
 * XML property lists (macOS managed preferences) to plain values, on the
 * project's defensive XML parser (wire/presence/xml.ts: no entity expansion).
 * Only the standard plist DOCTYPE is accepted, by removing it before parsing;
 * any other markup declaration is refused there. Dates and data are kept as
 * their text: no policy key takes them, so they are reported as invalid later.
 */
import { parseXml, type XmlElement } from '../../../wire/presence/xml.js';

const PLIST_DOCTYPE = /<!DOCTYPE\s+plist\s+PUBLIC\s+"[^"<>]*"\s+"[^"<>]*"\s*>/;

export type PlistResult = { ok: true; value: unknown } | { ok: false; error: string };

export function parsePlistXml(xml: string): PlistResult {
  const parsed = parseXml(xml.replace(PLIST_DOCTYPE, ''));
  if (!parsed.ok) return parsed;
  if (parsed.root.local !== 'plist')
    return { ok: false, error: `not a property list (root <${parsed.root.name}>)` };
  const [top] = parsed.root.children;
  if (top === undefined) return { ok: false, error: 'empty property list' };
  try {
    return { ok: true, value: plistValue(top) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function plistValue(element: XmlElement): unknown {
  switch (element.local) {
    case 'dict':
      return plistDict(element);
    case 'array':
      return element.children.map(plistValue);
    case 'string':
    case 'date':
    case 'data':
      return element.text;
    case 'integer':
    case 'real':
      return Number(element.text.trim());
    case 'true':
      return true;
    case 'false':
      return false;
    default:
      throw new Error(`unknown property list element <${element.name}>`);
  }
}

/** `<dict>` holds `<key>` and value elements in turn. */
function plistDict(element: XmlElement): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const children = element.children;
  for (let i = 0; i < children.length; i += 2) {
    const key = children[i];
    const value = children[i + 1];
    if (key?.local !== 'key' || value === undefined)
      throw new Error('a <dict> entry lacks its <key> or value');
    out[key.text] = plistValue(value);
  }
  return out;
}
