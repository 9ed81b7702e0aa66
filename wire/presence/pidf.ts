/**
 * PIDF (RFC 3863) with the data model (RFC 4479) and RPID activities (RFC 4480):
 * the document the KW Desktop PUBLISHes, and a tolerant reader for what any SIP
 * client publishes (our app, Linphone, others) as the router receives it in NOTIFYs.
 *
 * Encoding: one `<tuple>` (basic status, contact, note, timestamp) and one
 * `<dm:person>` (RPID activities, our DND extension, note, timestamp). The note goes
 * both in the person (`<dm:note>`) and in the tuple (`<note>`), for clients that only
 * read tuple notes; the reader de-duplicates.
 *
 * Our extension lives in the namespace `urn:kwdesk:presence` (see KW_PRESENCE_NS):
 *   <dm:person id="..."><kw:dnd xmlns:kw="urn:kwdesk:presence">true</kw:dnd></dm:person>
 * (the prefix is declared on the root element).
 *
 * Reading: elements are matched by local name, never by prefix, because clients use
 * every combination (`<presence xmlns=...>`, `<pidf:presence>`, `<r:activities>`,
 * RPID as default namespace...). `<basic>` alone decides open/closed.
 */
import {
  DM_NS,
  KW_PRESENCE_NS,
  PIDF_NS,
  RPID_NS,
  activityFromLocalName,
  isRpidActivity,
  type RpidActivity,
} from './rpid.js';
import { utf8Bytes, utf8Length } from '../utf8.js';
import { escapeXml, parseXml, type XmlElement } from './xml.js';

export type { RpidActivity } from './rpid.js';
export { DM_NS, KW_PRESENCE_NS, PIDF_NS, RPID_NS, RPID_ACTIVITIES, isRpidActivity } from './rpid.js';

/** Default limit of parsePidf: bigger bodies are refused before parsing. */
export const PIDF_MAX_BYTES = 64 * 1024;

/** What the KW Desktop publishes. */
export interface PresenceDocument {
  /** Presentity URI, e.g. `sip:kw1@lab.local`. */
  entity: string;
  basic: 'open' | 'closed';
  /** [] = no activity. Duplicates are dropped; `unknown` is only written alone (RFC 4480). */
  activities: readonly RpidActivity[];
  /** Free text, e.g. 'Do not disturb'. Leading/trailing whitespace is not significant. */
  note?: string;
  /** Stable per device; default derived from the entity. Made a valid XML ID if it is not one. */
  tupleId?: string;
  /** The tuple's `<contact>`. */
  contact?: string;
  /** `<kw:dnd>` in the person element, namespace urn:kwdesk:presence. Omitted when undefined. */
  extensions?: { dnd?: boolean };
  /** Written to the tuple and the person; an invalid Date is left out. */
  timestamp?: Date;
  /** When the activities end (RPID `until`, RFC 4480 §3.2): a timed Do not disturb. Needs activities. */
  until?: Date;
}

export type PidfBasic = 'open' | 'closed' | 'unknown';

export interface ParsedTuple {
  id: string | undefined;
  basic: PidfBasic;
  contact: string | undefined;
  /** The tuple's first non-empty note. */
  note: string | undefined;
}

export interface ParsedPresence {
  entity: string | undefined;
  /** Merged over tuples: open if any tuple is open, else closed if any is closed, else unknown. */
  basic: PidfBasic;
  /** Union from person(s) and tuples, in document order, de-duplicated; unknown element names → 'other'. */
  activities: RpidActivity[];
  /** All notes (person, tuple, device, activities, top level), trimmed, de-duplicated. */
  notes: string[];
  /** See `isDnd` for the rule. */
  dnd: boolean;
  tuples: ParsedTuple[];
  /** The earliest valid RPID `until` of the activities (ISO time), when one is given. */
  until?: string;
}

export type ParseResult = { ok: true; value: ParsedPresence } | { ok: false; error: string };

// ---------------------------------------------------------------------------
// Encoding

const XML_ID = /^[A-Za-z_][A-Za-z0-9._-]*$/;

/** FNV-1a, 64 bits, as hex: a stable id, not a secret (no crypto needed, so it runs anywhere). */
function fnv1a64(bytes: Uint8Array): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return hash.toString(16).padStart(16, '0');
}

function shortHash(text: string): string {
  return fnv1a64(utf8Bytes(text)).slice(0, 12);
}

/** Turns any string into a valid XML ID (NCName, ASCII subset). */
function toXmlId(value: string): string {
  if (XML_ID.test(value)) return value;
  const cleaned = value.replace(/[^A-Za-z0-9._-]/g, '_');
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

/** The tuple id used when the document gives none: stable for one entity. */
export function defaultTupleId(entity: string): string {
  return `t${shortHash(entity)}`;
}

function personId(entity: string): string {
  return `p${shortHash(entity)}`;
}

function orderedActivities(activities: readonly RpidActivity[]): RpidActivity[] {
  // Only known names reach the output, so no caller can inject markup through an element name.
  const unique = [...new Set(activities)].filter(isRpidActivity);
  // RFC 4480: <unknown/> is an alternative to listing activities, never combined with them.
  return unique.length > 1 ? unique.filter((a) => a !== 'unknown') : unique;
}

/** Encodes a PIDF document (UTF-8 XML text). Pure; does not throw for any PresenceDocument. */
export function encodePidf(doc: PresenceDocument): string {
  const entity = escapeXml(doc.entity);
  const tupleId = escapeXml(doc.tupleId ? toXmlId(doc.tupleId) : defaultTupleId(doc.entity));
  const time =
    doc.timestamp && !Number.isNaN(doc.timestamp.getTime()) ? doc.timestamp.toISOString() : undefined;
  const note = doc.note?.trim() ? escapeXml(doc.note.trim()) : undefined;
  const dnd = doc.extensions?.dnd;
  const activities = orderedActivities(doc.activities);

  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const kwNs = dnd === undefined ? '' : ` xmlns:kw="${KW_PRESENCE_NS}"`;
  lines.push(
    `<presence xmlns="${PIDF_NS}" xmlns:dm="${DM_NS}" xmlns:rpid="${RPID_NS}"${kwNs} entity="${entity}">`,
  );

  // PIDF tuple: status, contact?, note*, timestamp? (in this order, RFC 3863 schema).
  lines.push(`  <tuple id="${tupleId}">`);
  lines.push(`    <status><basic>${doc.basic === 'open' ? 'open' : 'closed'}</basic></status>`);
  if (doc.contact) lines.push(`    <contact>${escapeXml(doc.contact)}</contact>`);
  if (note !== undefined) lines.push(`    <note>${note}</note>`);
  if (time !== undefined) lines.push(`    <timestamp>${time}</timestamp>`);
  lines.push('  </tuple>');

  // Data-model person: foreign-namespace elements first, then note*, then timestamp?.
  lines.push(`  <dm:person id="${personId(doc.entity)}">`);
  const until = doc.until && !Number.isNaN(doc.until.getTime()) ? doc.until.toISOString() : undefined;
  if (activities.length > 0) {
    lines.push(until ? `    <rpid:activities until="${until}">` : '    <rpid:activities>');
    for (const activity of activities) lines.push(`      <rpid:${activity}/>`);
    lines.push('    </rpid:activities>');
  }
  if (dnd !== undefined) lines.push(`    <kw:dnd>${dnd ? 'true' : 'false'}</kw:dnd>`);
  if (note !== undefined) lines.push(`    <dm:note>${note}</dm:note>`);
  if (time !== undefined) lines.push(`    <dm:timestamp>${time}</dm:timestamp>`);
  lines.push('  </dm:person>');

  lines.push('</presence>');
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------
// Parsing

function childrenNamed(element: XmlElement, local: string): XmlElement[] {
  return element.children.filter((c) => c.local === local);
}

function firstChild(element: XmlElement, local: string): XmlElement | undefined {
  return element.children.find((c) => c.local === local);
}

/** All descendants (not the element itself) with this local name, depth-first, document order. */
function descendantsNamed(element: XmlElement, local: string, out: XmlElement[] = []): XmlElement[] {
  for (const child of element.children) {
    if (child.local === local) out.push(child);
    descendantsNamed(child, local, out);
  }
  return out;
}

function textOf(element: XmlElement | undefined): string | undefined {
  const text = element?.text.trim();
  return text ? text : undefined;
}

function parseBasic(text: string | undefined): PidfBasic {
  const value = text?.toLowerCase();
  return value === 'open' || value === 'closed' ? value : 'unknown';
}

/** `<status><basic>` of a tuple; a `<basic>` written directly in the tuple is accepted too. */
function tupleBasic(tuple: XmlElement): PidfBasic {
  for (const status of childrenNamed(tuple, 'status')) {
    const basic = parseBasic(textOf(firstChild(status, 'basic')));
    if (basic !== 'unknown') return basic;
  }
  return parseBasic(textOf(firstChild(tuple, 'basic')));
}

function mergeBasic(values: readonly PidfBasic[]): PidfBasic {
  if (values.includes('open')) return 'open';
  if (values.includes('closed')) return 'closed';
  return 'unknown';
}

/** Where notes live: presence, tuple, tuple status, person, device, activities. */
const NOTE_PARENTS: ReadonlySet<string> = new Set([
  'presence',
  'tuple',
  'status',
  'person',
  'device',
  'activities',
]);

function collectNotes(element: XmlElement, out: Set<string>): void {
  for (const child of element.children) {
    if (child.local === 'note') {
      if (NOTE_PARENTS.has(element.local)) {
        const text = textOf(child);
        if (text !== undefined) out.add(text);
      }
    } else {
      collectNotes(child, out);
    }
  }
}

/** The activities of one `<activities>` element. Its `<note>` children are notes, not activities. */
function activitiesOf(element: XmlElement): RpidActivity[] {
  const found: RpidActivity[] = [];
  for (const child of element.children) {
    if (child.local !== 'note') found.push(activityFromLocalName(child.local));
  }
  // Some clients write the activity as text: <activities>busy</activities>.
  const text = element.text.trim().toLowerCase();
  if (found.length === 0 && isRpidActivity(text)) found.push(text);
  return found;
}

function parseDndFlag(element: XmlElement): boolean | undefined {
  const value = element.text.trim().toLowerCase();
  if (value === '' || value === 'true' || value === '1' || value === 'yes' || value === 'on') return true;
  if (value === 'false' || value === '0' || value === 'no' || value === 'off') return false;
  return undefined;
}

/**
 * A note that says do-not-disturb: it starts with "dnd", "do not disturb" or
 * "don't disturb" (case-insensitive; hyphens, underscores and runs of spaces count
 * as one space). "DND until 3pm" and "Do not disturb - in a meeting" match;
 * "Please do not disturb the cat" does not.
 */
export function isDndNote(note: string): boolean {
  const normalized = note
    .toLowerCase()
    .replace(/[\u2018\u2019`]/g, "'")
    .replace(/[\s_-]+/g, ' ')
    .trim();
  return /^(dnd|do not disturb|don't disturb|dont disturb)(?![a-z0-9])/.test(normalized);
}

/**
 * The DND rule, in this order:
 * 1. Our extension `<kw:dnd>` (any element with local name `dnd`): when present it is
 *    authoritative, true if any occurrence says true (several merged devices), false
 *    otherwise — an explicit "not DND" from our own client beats the heuristics below.
 * 2. Otherwise, true if any note is a DND note (see isDndNote), or if the merged basic
 *    status is `closed` together with an activity: clients without a DND status of
 *    their own publish that (Linphone 5.1's "Do not disturb" is closed + `<rpid:away/>`,
 *    others write closed + busy). `open` + an activity stays that activity; `closed`
 *    alone (or with `unknown`) stays Offline.
 */
function isDnd(
  root: XmlElement,
  basic: PidfBasic,
  activities: readonly RpidActivity[],
  notes: readonly string[],
) {
  const flags = descendantsNamed(root, 'dnd')
    .map(parseDndFlag)
    .filter((f) => f !== undefined);
  if (flags.length > 0) return flags.includes(true);
  if (notes.some(isDndNote)) return true;
  return basic === 'closed' && activities.some((a) => a !== 'unknown');
}

/**
 * Parses a PIDF document from an untrusted source. Never throws: any problem is an
 * `{ ok: false, error }` with a precise reason (empty body, too large, DOCTYPE,
 * malformed XML with line/column, no `<presence>` root).
 */
export function parsePidf(xml: string, limits?: { maxBytes?: number }): ParseResult {
  try {
    if (typeof xml !== 'string') return { ok: false, error: 'body is not a string' };
    const requested = limits?.maxBytes;
    const maxBytes =
      typeof requested === 'number' && Number.isFinite(requested) && requested >= 0
        ? requested
        : PIDF_MAX_BYTES;
    // A string has at least as many UTF-8 bytes as UTF-16 units: refuse long ones without counting.
    if (xml.length > maxBytes || utf8Length(xml) > maxBytes) {
      return { ok: false, error: `document too large: more than ${maxBytes} bytes` };
    }
    const body = xml.startsWith('\uFEFF') ? xml.slice(1) : xml;
    if (body.trim() === '') return { ok: false, error: 'empty body' };

    const parsed = parseXml(body);
    if (!parsed.ok) return parsed;
    const root = parsed.root;
    if (root.local !== 'presence') {
      return { ok: false, error: `not a PIDF document: root element is <${root.name}>, expected <presence>` };
    }

    const tuples: ParsedTuple[] = childrenNamed(root, 'tuple').map((tuple) => ({
      id: tuple.attrs.get('id')?.trim() || undefined,
      basic: tupleBasic(tuple),
      contact: textOf(firstChild(tuple, 'contact')),
      note: childrenNamed(tuple, 'note')
        .map(textOf)
        .find((n) => n !== undefined),
    }));
    const basic = mergeBasic(tuples.map((t) => t.basic));

    const activities = new Set<RpidActivity>();
    const untils: number[] = [];
    for (const holder of [...childrenNamed(root, 'person'), ...childrenNamed(root, 'tuple')]) {
      for (const element of descendantsNamed(holder, 'activities')) {
        for (const activity of activitiesOf(element)) activities.add(activity);
        const until = Date.parse(element.attrs.get('until') ?? '');
        if (Number.isFinite(until)) untils.push(until);
      }
    }

    const noteSet = new Set<string>();
    collectNotes(root, noteSet);
    const notes = [...noteSet];
    const activityList = [...activities];

    return {
      ok: true,
      value: {
        entity: root.attrs.get('entity')?.trim() || undefined,
        basic,
        activities: activityList,
        notes,
        dnd: isDnd(root, basic, activityList, notes),
        tuples,
        ...(untils.length > 0 ? { until: new Date(Math.min(...untils)).toISOString() } : {}),
      },
    };
  } catch (err) {
    // Defensive: nothing above is expected to throw.
    return { ok: false, error: `cannot parse PIDF: ${err instanceof Error ? err.message : String(err)}` };
  }
}
