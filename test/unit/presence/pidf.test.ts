import { describe, expect, it } from 'vitest';
import { XMLValidator } from 'fast-xml-parser';
import {
  KW_PRESENCE_NS,
  PIDF_MAX_BYTES,
  defaultTupleId,
  encodePidf,
  isDndNote,
  parsePidf,
  type ParsedPresence,
  type PresenceDocument,
} from '../../../wire/presence/pidf.js';

const ENTITY = 'sip:kw1@lab.local';

function parsed(xml: string): ParsedPresence {
  const result = parsePidf(xml);
  if (!result.ok) throw new Error(`expected ok, got: ${result.error}`);
  return result.value;
}

function failure(xml: string, limits?: { maxBytes?: number }): string {
  const result = parsePidf(xml, limits);
  if (result.ok) throw new Error('expected a parse failure');
  return result.error;
}

function roundTrip(doc: PresenceDocument): ParsedPresence {
  const xml = encodePidf(doc);
  expect(XMLValidator.validate(xml)).toBe(true);
  return parsed(xml);
}

/** A tiny deterministic PRNG so the fuzz inputs are reproducible. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

describe('encodePidf', () => {
  it('writes a well-formed document with the PIDF, data-model and RPID namespaces', () => {
    const xml = encodePidf({ entity: ENTITY, basic: 'open', activities: ['busy'] });
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('xmlns="urn:ietf:params:xml:ns:pidf"');
    expect(xml).toContain('xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"');
    expect(xml).toContain('xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"');
    expect(xml).toContain(`entity="${ENTITY}"`);
  });

  it('puts activities inside <dm:person><rpid:activities>', () => {
    const xml = encodePidf({ entity: ENTITY, basic: 'open', activities: ['on-the-phone'] });
    expect(xml).toMatch(
      /<dm:person id="[^"]+">\s*<rpid:activities>\s*<rpid:on-the-phone\/>\s*<\/rpid:activities>/,
    );
  });

  it('omits <rpid:activities> when there is no activity', () => {
    const xml = encodePidf({ entity: ENTITY, basic: 'open', activities: [] });
    expect(xml).not.toContain('activities');
    expect(xml).toContain('<dm:person');
  });

  it('writes basic closed', () => {
    expect(encodePidf({ entity: ENTITY, basic: 'closed', activities: [] })).toContain(
      '<status><basic>closed</basic></status>',
    );
  });

  it('declares the kw namespace and writes <kw:dnd> in the person only when the extension is set', () => {
    const withDnd = encodePidf({
      entity: ENTITY,
      basic: 'open',
      activities: ['busy'],
      extensions: { dnd: true },
    });
    expect(withDnd).toContain(`xmlns:kw="${KW_PRESENCE_NS}"`);
    expect(KW_PRESENCE_NS).toBe('urn:kwdesk:presence');
    expect(withDnd).toMatch(/<dm:person[^>]*>[\s\S]*<kw:dnd>true<\/kw:dnd>[\s\S]*<\/dm:person>/);
    const without = encodePidf({ entity: ENTITY, basic: 'open', activities: ['busy'] });
    expect(without).not.toContain('kw:');
  });

  it('escapes & < > " \' in notes, and in attributes', () => {
    const xml = encodePidf({
      entity: 'sip:a"b\'<c>&d@lab.local',
      basic: 'open',
      activities: [],
      note: `a<b>c&d"e'f`,
    });
    expect(xml).toContain('<note>a&lt;b&gt;c&amp;d&quot;e&apos;f</note>');
    expect(xml).toContain('<dm:note>a&lt;b&gt;c&amp;d&quot;e&apos;f</dm:note>');
    expect(xml).toContain('entity="sip:a&quot;b&apos;&lt;c&gt;&amp;d@lab.local"');
    expect(XMLValidator.validate(xml)).toBe(true);
  });

  it('drops characters XML cannot carry instead of producing a broken document', () => {
    const xml = encodePidf({
      entity: ENTITY,
      basic: 'open',
      activities: [],
      note: 'a\u0000b\u0007c\uFFFEd\uD800',
    });
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(parsed(xml).notes).toEqual(['abcd']);
  });

  it('derives a stable tuple id from the entity and keeps a given one', () => {
    const a = encodePidf({ entity: ENTITY, basic: 'open', activities: [] });
    const b = encodePidf({ entity: ENTITY, basic: 'closed', activities: ['away'] });
    const id = defaultTupleId(ENTITY);
    expect(id).toMatch(/^[A-Za-z_][\w.-]*$/);
    expect(a).toContain(`<tuple id="${id}">`);
    expect(b).toContain(`<tuple id="${id}">`);
    expect(defaultTupleId('sip:kw2@lab.local')).not.toBe(id);
    expect(encodePidf({ entity: ENTITY, basic: 'open', activities: [], tupleId: 'desk-1' })).toContain(
      '<tuple id="desk-1">',
    );
  });

  it('turns a tuple id that is not a valid XML ID into one', () => {
    const xml = encodePidf({ entity: ENTITY, basic: 'open', activities: [], tupleId: '1 desk/"x"' });
    expect(xml).toContain('<tuple id="_1_desk__x_">');
  });

  it('writes contact and timestamps', () => {
    const xml = encodePidf({
      entity: ENTITY,
      basic: 'open',
      activities: [],
      contact: 'sip:kw1@192.0.2.7;transport=ws',
      timestamp: new Date('2026-11-03T10:00:00Z'),
    });
    expect(xml).toContain('<contact>sip:kw1@192.0.2.7;transport=ws</contact>');
    expect(xml).toContain('<timestamp>2026-11-03T10:00:00.000Z</timestamp>');
    expect(xml).toContain('<dm:timestamp>2026-11-03T10:00:00.000Z</dm:timestamp>');
  });

  it('leaves out an invalid timestamp instead of throwing', () => {
    const xml = encodePidf({
      entity: ENTITY,
      basic: 'open',
      activities: [],
      timestamp: new Date(Number.NaN),
    });
    expect(xml).not.toContain('timestamp');
  });

  it('de-duplicates activities and never combines <unknown/> with others', () => {
    const xml = encodePidf({
      entity: ENTITY,
      basic: 'open',
      activities: ['busy', 'busy', 'unknown', 'meeting'],
    });
    expect(xml.match(/<rpid:busy\/>/g)).toHaveLength(1);
    expect(xml).not.toContain('<rpid:unknown/>');
    expect(xml).toContain('<rpid:meeting/>');
    expect(encodePidf({ entity: ENTITY, basic: 'open', activities: ['unknown'] })).toContain(
      '<rpid:unknown/>',
    );
  });

  it('refuses to turn an unchecked string into an element name', () => {
    const bogus = ['busy/><evil', 'away'] as unknown as PresenceDocument['activities'];
    const xml = encodePidf({ entity: ENTITY, basic: 'open', activities: bogus });
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toContain('evil');
    expect(parsed(xml).activities).toEqual(['away']);
  });

  it('leaves out an empty or blank note', () => {
    expect(encodePidf({ entity: ENTITY, basic: 'open', activities: [], note: '   ' })).not.toContain('note');
  });
});

describe('round trip encode → parse, one per desktop state', () => {
  it('Available: open, no activity', () => {
    const p = roundTrip({ entity: ENTITY, basic: 'open', activities: [] });
    expect(p).toMatchObject({ entity: ENTITY, basic: 'open', activities: [], notes: [], dnd: false });
    expect(p.tuples).toEqual([
      { id: defaultTupleId(ENTITY), basic: 'open', contact: undefined, note: undefined },
    ]);
  });

  it('Busy: open + busy is not DND', () => {
    const p = roundTrip({ entity: ENTITY, basic: 'open', activities: ['busy'], note: 'Busy' });
    expect(p).toMatchObject({ basic: 'open', activities: ['busy'], notes: ['Busy'], dnd: false });
  });

  it('In a call: on-the-phone', () => {
    const p = roundTrip({ entity: ENTITY, basic: 'open', activities: ['on-the-phone'] });
    expect(p).toMatchObject({ basic: 'open', activities: ['on-the-phone'], dnd: false });
  });

  it('Do not disturb via the extension', () => {
    const p = roundTrip({
      entity: ENTITY,
      basic: 'open',
      activities: ['busy'],
      note: 'Do not disturb',
      extensions: { dnd: true },
    });
    expect(p).toMatchObject({ basic: 'open', activities: ['busy'], notes: ['Do not disturb'], dnd: true });
  });

  it('Do not disturb via the extension alone, without a note', () => {
    const p = roundTrip({ entity: ENTITY, basic: 'open', activities: ['busy'], extensions: { dnd: true } });
    expect(p.dnd).toBe(true);
  });

  it('an explicit dnd=false is authoritative over a note that reads like DND', () => {
    const p = roundTrip({
      entity: ENTITY,
      basic: 'open',
      activities: [],
      note: 'DND',
      extensions: { dnd: false },
    });
    expect(p.dnd).toBe(false);
  });

  it('Away / Be right back: away', () => {
    const p = roundTrip({ entity: ENTITY, basic: 'open', activities: ['away'], note: 'Be right back' });
    expect(p).toMatchObject({ basic: 'open', activities: ['away'], notes: ['Be right back'], dnd: false });
  });

  it('Offline / appear offline: closed', () => {
    const p = roundTrip({ entity: ENTITY, basic: 'closed', activities: [] });
    expect(p).toMatchObject({ basic: 'closed', activities: [], dnd: false });
    expect(p.tuples[0]?.basic).toBe('closed');
  });

  it('keeps the tuple id, contact and note', () => {
    const p = roundTrip({
      entity: ENTITY,
      basic: 'open',
      activities: [],
      tupleId: 'kwdesk-7f3a',
      contact: 'sip:kw1@lab.local',
      note: 'At my desk',
    });
    expect(p.tuples).toEqual([
      { id: 'kwdesk-7f3a', basic: 'open', contact: 'sip:kw1@lab.local', note: 'At my desk' },
    ]);
    expect(p.notes).toEqual(['At my desk']);
  });

  it('every activity survives the round trip', () => {
    const all = [
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
      'other',
    ] as const;
    for (const activity of all) {
      expect(roundTrip({ entity: ENTITY, basic: 'open', activities: [activity] }).activities).toEqual([
        activity,
      ]);
    }
    expect(roundTrip({ entity: ENTITY, basic: 'open', activities: ['unknown'] }).activities).toEqual([
      'unknown',
    ]);
  });

  it('keeps markup characters in a note', () => {
    const note = `<b>Tom & Jerry's "office"</b>`;
    expect(roundTrip({ entity: ENTITY, basic: 'open', activities: [], note }).notes).toEqual([note]);
  });

  it('keeps unicode in a note (accents, CJK, emoji)', () => {
    const note = 'Réunion — 会議中 😀';
    expect(roundTrip({ entity: ENTITY, basic: 'open', activities: [], note }).notes).toEqual([note]);
  });

  it('keeps something that looks like a DOCTYPE inside a note (it is escaped)', () => {
    const note = '<!DOCTYPE x [<!ENTITY a "b">]>';
    expect(roundTrip({ entity: ENTITY, basic: 'open', activities: [], note }).notes).toEqual([note]);
  });

  it('trims a note', () => {
    expect(roundTrip({ entity: ENTITY, basic: 'open', activities: [], note: '  lunch \n' }).notes).toEqual([
      'lunch',
    ]);
  });
});

// Linphone-style publication (as Linphone's presence model writes it): default PIDF
// namespace, dm/rpid prefixes, tuple with status/basic, contact with priority, timestamp,
// an OMA service description, and a person with the activity.
const LINPHONE_AWAY = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:op="urn:oma:xml:prs:pidf:oma-pres" entity="sip:bob@lab.local">
  <tuple id="ubsqgz">
    <status>
      <basic>open</basic>
    </status>
    <op:service-description>
      <op:service-id>org.3gpp.urn:urn-7:3gpp-service.ims.icsi.mmtel</op:service-id>
      <op:version>1.0</op:version>
    </op:service-description>
    <contact priority="0.8">sip:bob@192.0.2.44:5060;transport=udp</contact>
    <timestamp>2026-11-02T09:14:05Z</timestamp>
  </tuple>
  <dm:person id="xmbtdi">
    <rpid:activities>
      <rpid:away/>
    </rpid:activities>
    <dm:timestamp>2026-11-02T09:14:05Z</dm:timestamp>
  </dm:person>
</presence>`;

const LINPHONE_DND = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:bob@lab.local">
  <tuple id="ubsqgz">
    <status>
      <basic>closed</basic>
    </status>
    <contact priority="0.8">sip:bob@192.0.2.44:5060;transport=udp</contact>
    <timestamp>2026-11-02T09:20:00Z</timestamp>
  </tuple>
  <dm:person id="xmbtdi">
    <rpid:activities>
      <rpid:busy/>
    </rpid:activities>
    <dm:timestamp>2026-11-02T09:20:00Z</dm:timestamp>
  </dm:person>
</presence>`;

describe('Linphone-like documents', () => {
  it('reads open + away', () => {
    const p = parsed(LINPHONE_AWAY);
    expect(p).toMatchObject({
      entity: 'sip:bob@lab.local',
      basic: 'open',
      activities: ['away'],
      notes: [],
      dnd: false,
    });
  });

  it('reads the tuple id and contact, and ignores the service description', () => {
    expect(parsed(LINPHONE_AWAY).tuples).toEqual([
      { id: 'ubsqgz', basic: 'open', contact: 'sip:bob@192.0.2.44:5060;transport=udp', note: undefined },
    ]);
  });

  it('reads closed + busy as do-not-disturb', () => {
    expect(parsed(LINPHONE_DND)).toMatchObject({ basic: 'closed', activities: ['busy'], dnd: true });
  });

  it('closed without activity is plain offline, not DND', () => {
    const xml = LINPHONE_DND.replace(/<rpid:activities>[\s\S]*<\/rpid:activities>/, '');
    expect(parsed(xml)).toMatchObject({ basic: 'closed', activities: [], dnd: false });
  });

  it('closed + away is DND (what Linphone 5.1 publishes for "Do not disturb")', () => {
    const xml = LINPHONE_DND.replace('<rpid:busy/>', '<rpid:away/>');
    expect(parsed(xml)).toMatchObject({ basic: 'closed', activities: ['away'], dnd: true });
  });

  it('closed + unknown is not DND', () => {
    const xml = LINPHONE_DND.replace('<rpid:busy/>', '<rpid:unknown/>');
    expect(parsed(xml)).toMatchObject({ basic: 'closed', dnd: false });
  });

  it('closed + a DND note is DND', () => {
    const xml = LINPHONE_DND.replace('<rpid:busy/>', '<rpid:away/>').replace(
      '<dm:timestamp>',
      '<dm:note>Do Not Disturb</dm:note><dm:timestamp>',
    );
    expect(parsed(xml)).toMatchObject({ basic: 'closed', activities: ['away'], dnd: true });
  });

  it('<basic>closed</basic> wins over an "online"-like element next to it', () => {
    const xml = `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:ol="http://www.linphone.org/xsds/pidfonline.xsd" xmlns:im="urn:ietf:params:xml:ns:pidf:im" entity="sip:bob@lab.local">
      <tuple id="a1"><status><basic>closed</basic><im:im>online</im:im><ol:online/></status><ol:online>true</ol:online></tuple>
    </presence>`;
    expect(parsed(xml)).toMatchObject({ basic: 'closed', activities: [], dnd: false });
  });
});

// In the style of the RFC 4480 example: several tuples, RPID under the prefix "r",
// a device, a person with activities (including a note inside them), mood and privacy
// elements that also contain <r:other/> and <r:unknown/> (which are not activities).
const RFC4480_STYLE = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf"
    xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
    xmlns:r="urn:ietf:params:xml:ns:pidf:rpid"
    xmlns:c="urn:ietf:params:xml:ns:pidf:cipid"
    entity="pres:someone@example.com">
  <tuple id="bs35r9">
    <status>
      <basic>open</basic>
    </status>
    <r:device-id>urn:device:0003ba4811e3</r:device-id>
    <r:relationship><r:self/></r:relationship>
    <r:service-class><r:electronic/></r:service-class>
    <contact priority="0.8">im:someone@mobile.example.net</contact>
    <note xml:lang="en">Don't Disturb Please!</note>
    <note xml:lang="fr">Ne dérangez pas, s'il vous plait</note>
    <timestamp>2005-10-27T16:49:29Z</timestamp>
  </tuple>
  <tuple id="ty4658">
    <status>
      <basic>open</basic>
    </status>
    <r:relationship><r:assistant/></r:relationship>
    <c:card>http://example.com/~assistant/card.vcd</c:card>
    <contact priority="1.0">mailto:secretary@example.com</contact>
  </tuple>
  <note>I'll be in Tokyo next week</note>
  <dm:device id="pc147">
    <r:user-input idle-threshold="600" last-input="2004-10-21T13:20:00.000-05:00">idle</r:user-input>
    <dm:deviceID>urn:device:0003ba4811e3</dm:deviceID>
    <dm:note>PC</dm:note>
  </dm:device>
  <dm:person id="p1">
    <r:activities from="2005-05-30T12:00:00+05:00" until="2005-05-30T17:00:00+05:00">
      <r:note>Far away</r:note>
      <r:away/>
    </r:activities>
    <r:class>calendar</r:class>
    <r:mood>
      <r:angry/>
      <r:other>brooding</r:other>
    </r:mood>
    <r:place-is>
      <r:audio><r:noisy/></r:audio>
    </r:place-is>
    <r:privacy><r:unknown/></r:privacy>
    <r:sphere>bowling league</r:sphere>
    <r:time-offset>-240</r:time-offset>
    <c:homepage>http://www.example.com/~someone</c:homepage>
  </dm:person>
</presence>`;

describe('RFC 4480 example style', () => {
  const p = parsed(RFC4480_STYLE);

  it('reads the entity and merged basic', () => {
    expect(p.entity).toBe('pres:someone@example.com');
    expect(p.basic).toBe('open');
  });

  it('takes activities only from <activities>, not from mood or privacy', () => {
    expect(p.activities).toEqual(['away']);
  });

  it('collects tuple, top-level, device and activities notes, decoded and in order', () => {
    expect(p.notes).toEqual([
      "Don't Disturb Please!",
      "Ne dérangez pas, s'il vous plait",
      "I'll be in Tokyo next week",
      'PC',
      'Far away',
    ]);
  });

  it('reads both tuples with their first note', () => {
    expect(p.tuples).toEqual([
      {
        id: 'bs35r9',
        basic: 'open',
        contact: 'im:someone@mobile.example.net',
        note: "Don't Disturb Please!",
      },
      { id: 'ty4658', basic: 'open', contact: 'mailto:secretary@example.com', note: undefined },
    ]);
  });

  it('recognises the "Don\'t Disturb" note as DND', () => {
    expect(p.dnd).toBe(true);
  });
});

describe('merged multi-tuple documents (several devices, one NOTIFY)', () => {
  const merged = (a: string, b: string, person = '') => `<?xml version="1.0"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:kw1@lab.local">
  <tuple id="desk"><status><basic>${a}</basic></status><contact>sip:kw1@desk</contact></tuple>
  <tuple id="phone"><status><basic>${b}</basic></status><contact>sip:kw1@phone</contact><note>on the road</note></tuple>
  ${person}
</presence>`;

  it('one open and one closed → open', () => {
    const p = parsed(merged('closed', 'open'));
    expect(p.basic).toBe('open');
    expect(p.tuples.map((t) => [t.id, t.basic])).toEqual([
      ['desk', 'closed'],
      ['phone', 'open'],
    ]);
  });

  it('all closed → closed', () => {
    expect(parsed(merged('closed', 'closed')).basic).toBe('closed');
  });

  it('no readable <basic> anywhere → unknown', () => {
    expect(parsed(merged('maybe', '')).basic).toBe('unknown');
  });

  it('no tuple at all → unknown, no tuples', () => {
    const p = parsed('<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:x@y"/>');
    expect(p).toMatchObject({ basic: 'unknown', tuples: [], activities: [], notes: [], dnd: false });
  });

  it('unions and de-duplicates activities over several persons and tuples', () => {
    const persons = `
      <dm:person id="a"><rpid:activities><rpid:busy/><rpid:meeting/></rpid:activities></dm:person>
      <dm:person id="b"><rpid:activities><rpid:meeting/><rpid:on-the-phone/></rpid:activities></dm:person>`;
    const xml = merged('open', 'open', persons).replace(
      '<note>on the road</note>',
      '<status><basic>open</basic><rpid:activities><rpid:busy/><rpid:travel/></rpid:activities></status>',
    );
    expect(parsed(xml).activities).toEqual(['busy', 'meeting', 'on-the-phone', 'travel']);
  });

  it('de-duplicates the same note published by two devices', () => {
    const persons = `<dm:person id="a"><dm:note>on the road</dm:note><dm:note>  on the road </dm:note></dm:person>`;
    expect(parsed(merged('open', 'open', persons)).notes).toEqual(['on the road']);
  });

  it('a DND extension from any device makes the whole presentity DND', () => {
    const persons = `<dm:person id="a"><kw:dnd xmlns:kw="urn:kwdesk:presence">false</kw:dnd></dm:person>
      <dm:person id="b"><kw:dnd xmlns:kw="urn:kwdesk:presence">true</kw:dnd></dm:person>`;
    expect(parsed(merged('open', 'open', persons)).dnd).toBe(true);
  });

  it('closed + busy on one device does not make an open presentity DND', () => {
    const persons = `<dm:person id="a"><rpid:activities><rpid:busy/></rpid:activities></dm:person>`;
    expect(parsed(merged('closed', 'open', persons))).toMatchObject({ basic: 'open', dnd: false });
  });
});

describe('namespace prefix variations', () => {
  const expectBusyOpen = (xml: string) => {
    const p = parsed(xml);
    expect(p.basic).toBe('open');
    expect(p.activities).toEqual(['busy']);
    expect(p.entity).toBe('sip:a@b');
  };

  it('prefixed PIDF root: <pidf:presence>', () => {
    expectBusyOpen(`<pidf:presence xmlns:pidf="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:a@b">
      <pidf:tuple id="t"><pidf:status><pidf:basic>open</pidf:basic></pidf:status></pidf:tuple>
      <dm:person id="p"><rpid:activities><rpid:busy/></rpid:activities></dm:person>
    </pidf:presence>`);
  });

  it('RPID under a short prefix: <r:activities>', () => {
    expectBusyOpen(`<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" xmlns:d="urn:ietf:params:xml:ns:pidf:data-model" entity="sip:a@b">
      <tuple id="t"><status><basic>open</basic></status></tuple>
      <d:person id="p"><r:activities><r:busy/></r:activities></d:person>
    </presence>`);
  });

  it('RPID as the default namespace of the activities element', () => {
    expectBusyOpen(`<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b">
      <tuple id="t"><status><basic>open</basic></status></tuple>
      <person xmlns="urn:ietf:params:xml:ns:pidf:data-model" id="p">
        <activities xmlns="urn:ietf:params:xml:ns:pidf:rpid"><busy/></activities>
      </person>
    </presence>`);
  });

  it('old-style RPID activities inside the tuple status', () => {
    expectBusyOpen(`<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:a@b">
      <tuple id="t"><status><basic>open</basic><rpid:activities><rpid:busy/></rpid:activities></status></tuple>
    </presence>`);
  });

  it('no namespace declarations at all', () => {
    expectBusyOpen(
      `<presence entity="sip:a@b"><tuple id="t"><status><basic>open</basic></status></tuple><person><activities><busy/></activities></person></presence>`,
    );
  });

  it('upper-case values and element names from sloppy clients', () => {
    expectBusyOpen(
      `<presence entity="sip:a@b"><tuple><status><basic> OPEN </basic></status></tuple><person><activities><Busy/></activities></person></presence>`,
    );
  });

  it('the DND extension under another prefix', () => {
    const xml = `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:x="urn:kwdesk:presence" entity="sip:a@b">
      <tuple id="t"><status><basic>open</basic></status></tuple>
      <person xmlns="urn:ietf:params:xml:ns:pidf:data-model" id="p"><x:dnd>1</x:dnd></person>
    </presence>`;
    expect(parsed(xml).dnd).toBe(true);
  });
});

describe('activities', () => {
  const withActivities = (inner: string) =>
    parsed(
      `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:v="urn:example:vendor" entity="sip:a@b"><tuple id="t"><status><basic>open</basic></status></tuple><person><rpid:activities>${inner}</rpid:activities></person></presence>`,
    );

  it('unknown element names become other', () => {
    expect(withActivities('<rpid:tv/><v:gardening/>').activities).toEqual(['other']);
  });

  it('<rpid:other>text</rpid:other> is other', () => {
    expect(withActivities('<rpid:other>Gardening</rpid:other>').activities).toEqual(['other']);
  });

  it('<rpid:unknown/> is unknown', () => {
    expect(withActivities('<rpid:unknown/>').activities).toEqual(['unknown']);
  });

  it('a note inside activities is a note, not an activity', () => {
    const p = withActivities('<rpid:note>Back at 3</rpid:note><rpid:lunch/>');
    expect(p.activities).toEqual(['lunch']);
    expect(p.notes).toEqual(['Back at 3']);
  });

  it('an empty activities element adds nothing', () => {
    expect(withActivities('').activities).toEqual([]);
  });

  it('reads an activity written as text', () => {
    expect(withActivities('away').activities).toEqual(['away']);
  });

  it('reports away as away, whatever the client meant by it', () => {
    expect(withActivities('<rpid:away/>')).toMatchObject({ activities: ['away'], dnd: false });
  });
});

describe('DND rule', () => {
  const doc = (basic: string, activity: string, extra = '') =>
    `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="sip:a@b"><tuple id="t"><status><basic>${basic}</basic></status></tuple><dm:person id="p">${activity ? `<rpid:activities><rpid:${activity}/></rpid:activities>` : ''}${extra}</dm:person></presence>`;

  it('closed + busy → dnd', () => {
    expect(parsed(doc('closed', 'busy')).dnd).toBe(true);
  });

  it('open + busy → not dnd', () => {
    expect(parsed(doc('open', 'busy')).dnd).toBe(false);
  });

  it('open + a "dnd" note → dnd', () => {
    expect(parsed(doc('open', '', '<dm:note>dnd</dm:note>')).dnd).toBe(true);
  });

  it('a top-level "DO NOT DISTURB" note → dnd', () => {
    const xml = doc('open', 'busy').replace('</presence>', '<note>DO NOT DISTURB</note></presence>');
    expect(parsed(xml).dnd).toBe(true);
  });

  it('extension true → dnd even when open without activity', () => {
    expect(parsed(doc('open', '', '<kw:dnd xmlns:kw="urn:kwdesk:presence">true</kw:dnd>')).dnd).toBe(true);
  });

  it('explicit extension false wins over closed + busy', () => {
    expect(parsed(doc('closed', 'busy', '<kw:dnd xmlns:kw="urn:kwdesk:presence">false</kw:dnd>')).dnd).toBe(
      false,
    );
  });

  it('an unreadable extension value is ignored and the heuristics apply', () => {
    expect(parsed(doc('closed', 'busy', '<kw:dnd xmlns:kw="urn:kwdesk:presence">perhaps</kw:dnd>')).dnd).toBe(
      true,
    );
  });

  it('isDndNote recognises the usual spellings', () => {
    for (const note of [
      'dnd',
      'DND',
      'DND until 3pm',
      'Do not disturb',
      'do-not-disturb',
      'Do Not  Disturb!',
      "Don't disturb",
      'Don’t disturb please',
    ]) {
      expect(isDndNote(note), note).toBe(true);
    }
  });

  it('isDndNote does not fire on ordinary notes', () => {
    for (const note of ['', 'Busy', 'Please do not disturb the cat', 'dndx', 'Away', 'disturbing']) {
      expect(isDndNote(note), note).toBe(false);
    }
  });
});

describe('text decoding', () => {
  it('decodes predefined, decimal and hex references, and CDATA verbatim', () => {
    const xml = `<presence entity="sip:a&amp;b@c"><note>&lt;x&gt; &#233;&#xE9; &quot;&apos; <![CDATA[<raw> &amp;]]></note></presence>`;
    const p = parsed(xml);
    expect(p.entity).toBe('sip:a&b@c');
    expect(p.notes).toEqual([`<x> éé "' <raw> &amp;`]);
  });

  it('keeps an unknown named entity literally instead of expanding anything', () => {
    expect(parsed('<presence><note>a&nbsp;b</note></presence>').notes).toEqual(['a&nbsp;b']);
  });

  it('replaces a reference to a forbidden character', () => {
    expect(parsed('<presence><note>a&#0;b&#xD800;c</note></presence>').notes).toEqual(['a\uFFFDb\uFFFDc']);
  });

  it('trims text and skips blank notes and blank contact', () => {
    const p = parsed(
      '<presence entity="  sip:a@b  "><tuple id=" t1 "><status><basic>\n open \n</basic></status><contact>  </contact><note>   </note></tuple><note>\n  hi  \n</note></presence>',
    );
    expect(p).toMatchObject({ entity: 'sip:a@b', basic: 'open', notes: ['hi'] });
    expect(p.tuples).toEqual([{ id: 't1', basic: 'open', contact: undefined, note: undefined }]);
  });

  it('accepts a byte-order mark and comments', () => {
    const p = parsed(
      '\uFEFF<?xml version="1.0"?><!-- hi --><presence entity="sip:a@b"><!-- x --></presence>',
    );
    expect(p.entity).toBe('sip:a@b');
  });

  it('entity missing → undefined', () => {
    expect(parsed('<presence/>').entity).toBeUndefined();
  });
});

describe('malformed input', () => {
  it('empty body', () => {
    expect(failure('')).toBe('empty body');
    expect(failure('  \r\n ')).toBe('empty body');
  });

  it('not XML at all', () => {
    expect(failure('open')).toMatch(/^malformed XML: .*line 1/);
    expect(failure('{"status":"open"}')).toMatch(/^malformed XML/);
  });

  it('unclosed and mismatched tags, with line numbers', () => {
    expect(failure('<presence><tuple></presence>')).toMatch(/^malformed XML: .*tuple/);
    expect(failure('<presence>\n<tuple>\n</tupel></presence>')).toMatch(/line 3/);
    expect(failure('<presence>')).toMatch(/^malformed XML: Unclosed tag 'presence'/);
  });

  it('a bare ampersand', () => {
    expect(failure('<presence><note>Tom & Jerry</note></presence>')).toMatch(/^malformed XML: .*'&'/);
  });

  it('a duplicated attribute', () => {
    expect(failure('<presence entity="a" entity="b"/>')).toMatch(/^malformed XML: .*repeated/);
  });

  it('two root elements', () => {
    expect(failure('<presence/><presence/>')).toBe('malformed XML: more than one root element');
  });

  it('text after the root element', () => {
    expect(failure('<presence/>junk')).toBe('malformed XML: text after the root element');
    expect(failure('<presence entity="a>b"/>junk/>')).toBe('malformed XML: text after the root element');
    expect(failure('<presence></presence>junk')).toMatch(/^malformed XML/);
  });

  it('comments, processing instructions and whitespace after the root are fine', () => {
    expect(parsePidf('<presence entity="a>b"/>\n<!-- end -->\n<?pi x?>\n').ok).toBe(true);
    expect(parsePidf('<p:presence xmlns:p="urn:ietf:params:xml:ns:pidf"></p:presence >  ').ok).toBe(true);
  });

  it('XML that is not a presence document', () => {
    expect(failure('<?xml version="1.0"?><html><body/></html>')).toBe(
      'not a PIDF document: root element is <html>, expected <presence>',
    );
    expect(failure('<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo"/>')).toMatch(
      /root element is <watcherinfo>/,
    );
  });

  it('a presence element that is not the root', () => {
    expect(failure('<wrapper><presence/></wrapper>')).toMatch(/root element is <wrapper>/);
  });

  it('nesting deeper than any PIDF document', () => {
    const deep = `<presence>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</presence>`;
    expect(failure(deep)).toMatch(/^malformed XML: .*nested/i);
  });

  it('a reserved JavaScript name as element name does not break the parser', () => {
    const result = parsePidf('<presence><__proto__/><constructor/></presence>');
    expect(typeof result.ok).toBe('boolean');
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('a value that is not a string', () => {
    expect(parsePidf(undefined as unknown as string)).toEqual({ ok: false, error: 'body is not a string' });
    expect(parsePidf(42 as unknown as string)).toEqual({ ok: false, error: 'body is not a string' });
  });
});

describe('DOCTYPE and entity expansion', () => {
  it('rejects a plain DOCTYPE', () => {
    expect(failure('<?xml version="1.0"?><!DOCTYPE presence><presence/>')).toBe('DOCTYPE not allowed');
  });

  it('rejects the billion laughs', () => {
    const lol = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<presence entity="sip:a@b"><note>&lol2;</note></presence>`;
    expect(parsePidf(lol)).toEqual({ ok: false, error: 'DOCTYPE not allowed' });
  });

  it('rejects an external entity (XXE)', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><presence><note>&x;</note></presence>`;
    expect(parsePidf(xxe)).toEqual({ ok: false, error: 'DOCTYPE not allowed' });
  });

  it('rejects a DOCTYPE in any letter case', () => {
    expect(failure('<!doctype presence><presence/>')).toBe('DOCTYPE not allowed');
  });

  it('rejects a stray ENTITY declaration', () => {
    expect(failure('<presence><!ENTITY x "y"></presence>')).toBe('markup declaration <!ENTITY not allowed');
  });

  it('allows DOCTYPE-looking text inside a comment or CDATA', () => {
    expect(
      parsed('<presence><!-- <!DOCTYPE x> --><note><![CDATA[<!DOCTYPE y>]]></note></presence>').notes,
    ).toEqual(['<!DOCTYPE y>']);
  });
});

describe('size limit', () => {
  const padded = (bytes: number) => {
    const head = '<presence entity="sip:a@b"><note>';
    const tail = '</note></presence>';
    return head + 'x'.repeat(bytes - head.length - tail.length) + tail;
  };

  it('accepts a document of exactly 64 KiB by default', () => {
    expect(PIDF_MAX_BYTES).toBe(65536);
    expect(parsePidf(padded(65536)).ok).toBe(true);
  });

  it('rejects one byte more', () => {
    expect(failure(padded(65537))).toBe('document too large: more than 65536 bytes');
  });

  it('counts UTF-8 bytes, not characters', () => {
    const xml = `<presence><note>${'é'.repeat(600)}</note></presence>`; // 1200 bytes of note
    expect(xml.length).toBeLessThan(1000);
    expect(failure(xml, { maxBytes: 1000 })).toBe('document too large: more than 1000 bytes');
  });

  it('honours a custom limit', () => {
    expect(parsePidf(padded(2000), { maxBytes: 4096 }).ok).toBe(true);
    expect(failure(padded(2000), { maxBytes: 1024 })).toBe('document too large: more than 1024 bytes');
  });

  it('rejects a huge document quickly', () => {
    const huge = `<presence>${'<tuple id="x"><status><basic>open</basic></status></tuple>'.repeat(100_000)}</presence>`;
    const started = performance.now();
    expect(failure(huge)).toMatch(/^document too large/);
    expect(performance.now() - started).toBeLessThan(100);
  });
});

describe('never throws', () => {
  it('on 200 random byte strings', () => {
    const random = prng(0xc0ffee);
    for (let i = 0; i < 200; i++) {
      const length = Math.floor(random() * 400);
      const bytes = Buffer.alloc(length);
      for (let j = 0; j < length; j++) bytes[j] = Math.floor(random() * 256);
      const input = bytes.toString('latin1');
      let result: ReturnType<typeof parsePidf> | undefined;
      expect(() => {
        result = parsePidf(input);
      }).not.toThrow();
      expect(result?.ok === false ? typeof result.error : 'ok').toMatch(/^(string|ok)$/);
    }
  });

  it('on 200 random mutations of a valid document', () => {
    const random = prng(42);
    const base = encodePidf({
      entity: ENTITY,
      basic: 'open',
      activities: ['busy'],
      note: 'x',
      extensions: { dnd: true },
    });
    const alphabet = '<>/&;:="\'![]-? \nabc#x0';
    for (let i = 0; i < 200; i++) {
      const chars = [...base];
      const edits = 1 + Math.floor(random() * 8);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * chars.length);
        const op = random();
        const ch = alphabet[Math.floor(random() * alphabet.length)] ?? '<';
        if (op < 0.4) chars.splice(at, 1);
        else if (op < 0.7) chars.splice(at, 0, ch);
        else chars[at] = ch;
      }
      const input = chars.join('');
      expect(() => parsePidf(input)).not.toThrow();
      const result = parsePidf(input);
      if (result.ok) expect(['open', 'closed', 'unknown']).toContain(result.value.basic);
      else expect(result.error.length).toBeGreaterThan(0);
    }
  });
});
