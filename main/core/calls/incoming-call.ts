/**
 * What an incoming INVITE says about itself (docs/design.md §4): the interaction it
 * escalates, how (transfer or conference), its user data and the other
 * participants of a conference. Pure; everything is validated and bounded,
 * and a malformed header is dropped with a note rather than trusted.
 */
import { rawHeaders } from '../../../wire/sip/headers.js';
import { DEFAULT_USER_DATA_PREFIX, readUserData } from '../../../wire/user-data.js';
import { LIMITS } from '../../../wire/control.js';
import { ESCALATION_HEADER, INTERACTION_HEADER, PARTICIPANT_HEADER } from '../../../wire/header-names.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_PARTICIPANTS = 8;

export interface CallParty {
  readonly uri: string;
  readonly displayName: string;
}

export interface IncomingCallInfo {
  readonly interactionId: string | undefined;
  readonly escalation: 'transfer' | 'conference' | undefined;
  readonly userData: Readonly<Record<string, string>>;
  readonly participants: readonly CallParty[];
  /** What was malformed and ignored, for the log. */
  readonly problems: readonly string[];
}

export function readIncomingCall(raw: string, userDataPrefix = DEFAULT_USER_DATA_PREFIX): IncomingCallInfo {
  const problems: string[] = [];
  const headers = rawHeaders(raw);
  const first = (name: string): string | undefined =>
    headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value.trim();

  let interactionId = first(INTERACTION_HEADER);
  if (interactionId !== undefined && !UUID.test(interactionId)) {
    problems.push(`${INTERACTION_HEADER} is not a UUID`);
    interactionId = undefined;
  }

  const escalationRaw = first(ESCALATION_HEADER)?.toLowerCase();
  let escalation: IncomingCallInfo['escalation'];
  if (escalationRaw === 'transfer' || escalationRaw === 'conference') escalation = escalationRaw;
  else if (escalationRaw !== undefined)
    problems.push(`${ESCALATION_HEADER} is neither transfer nor conference`);
  if (escalation && !interactionId) {
    problems.push(`${ESCALATION_HEADER} without an interaction id: treated as an ordinary call`);
    escalation = undefined;
  }

  const participants: CallParty[] = [];
  for (const h of headers) {
    if (h.name.toLowerCase() !== PARTICIPANT_HEADER.toLowerCase()) continue;
    const party = parseNameAddr(h.value);
    if (!party) problems.push(`${PARTICIPANT_HEADER} is not a name-addr`);
    else if (participants.length < MAX_PARTICIPANTS) participants.push(party);
  }

  return { interactionId, escalation, userData: readUserData(raw, userDataPrefix), participants, problems };
}

/** `"Display Name" <sip:user@host>` or `<sip:…>` or a bare `sip:` URI. */
export function parseNameAddr(text: string): CallParty | undefined {
  const value = text.trim();
  const bracket = /^(?:"((?:[^"\\]|\\.)*)"|([^<"]*?))\s*<(sips?:[^<>\s]+)>$/.exec(value);
  if (bracket) {
    const uri = bracket[3] ?? '';
    const name = (bracket[1] ?? bracket[2] ?? '').replace(/\\(.)/g, '$1').trim();
    return bounded(uri, name);
  }
  if (/^sips?:[^<>\s"]+$/.test(value)) return bounded(value, '');
  return undefined;
}

function bounded(uri: string, displayName: string): CallParty | undefined {
  if (uri.length > LIMITS.uri || displayName.length > LIMITS.displayName) return undefined;
  return { uri, displayName };
}

/** Larger offers are not prepared ahead (the media host protocol's SDP bound). */
const MAX_OFFER = 64 * 1024;

/** The INVITE's SDP offer, when its body is one: the call can be prepared while it rings. */
export function sdpOffer(raw: string): string | undefined {
  const type = rawHeaders(raw).find((h) => /^(content-type|c)$/i.test(h.name))?.value;
  if (!type || !/^application\/sdp\s*(;|$)/i.test(type)) return undefined;
  const blank = /\r?\n\r?\n/.exec(raw);
  if (!blank) return undefined;
  const body = raw.slice(blank.index + blank[0].length);
  return body.length > 0 && body.length <= MAX_OFFER ? body : undefined;
}
