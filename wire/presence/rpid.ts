/**
 * RPID (RFC 4480) activities and the XML namespaces used in presence documents.
 */

/** PIDF, RFC 3863. */
export const PIDF_NS = 'urn:ietf:params:xml:ns:pidf';
/** PIDF data model (person, device), RFC 4479. */
export const DM_NS = 'urn:ietf:params:xml:ns:pidf:data-model';
/** RPID, RFC 4480. */
export const RPID_NS = 'urn:ietf:params:xml:ns:pidf:rpid';
/**
 * The KW Desktop's own extension namespace. It holds one element so far,
 * `<kw:dnd>true|false</kw:dnd>`, a child of `<dm:person>`: the user chose
 * "Do not disturb". Other clients ignore it (PIDF allows foreign elements there).
 */
export const KW_PRESENCE_NS = 'urn:kwdesk:presence';

export type RpidActivity =
  | 'busy'
  | 'on-the-phone'
  | 'away'
  | 'meeting'
  | 'appointment'
  | 'breakfast'
  | 'lunch'
  | 'dinner'
  | 'holiday'
  | 'vacation'
  | 'travel'
  | 'sleeping'
  | 'steering'
  | 'meal'
  | 'in-transit'
  | 'permanent-absence'
  | 'performance'
  | 'playing'
  | 'presentation'
  | 'shopping'
  | 'spectator'
  | 'working'
  | 'worship'
  | 'looking-for-work'
  | 'unknown'
  | 'other';

export const RPID_ACTIVITIES: readonly RpidActivity[] = [
  'busy',
  'on-the-phone',
  'away',
  'meeting',
  'appointment',
  'breakfast',
  'lunch',
  'dinner',
  'holiday',
  'vacation',
  'travel',
  'sleeping',
  'steering',
  'meal',
  'in-transit',
  'permanent-absence',
  'performance',
  'playing',
  'presentation',
  'shopping',
  'spectator',
  'working',
  'worship',
  'looking-for-work',
  'unknown',
  'other',
];

const ACTIVITY_SET: ReadonlySet<string> = new Set(RPID_ACTIVITIES);

export function isRpidActivity(value: unknown): value is RpidActivity {
  return typeof value === 'string' && ACTIVITY_SET.has(value);
}

/**
 * The activity an element of `<rpid:activities>` stands for, by local name.
 * Names are compared case-insensitively (sloppy clients write `<Busy/>`);
 * anything not in our list (RFC 4480's `tv`, a vendor's own activity) is `other`.
 */
export function activityFromLocalName(localName: string): RpidActivity {
  const name = localName.toLowerCase();
  return isRpidActivity(name) ? name : 'other';
}
