import { describe, expect, it } from 'vitest';
import { encodePidf, parsePidf, type PresenceDocument } from '../../../wire/presence/pidf.js';
import { presenceDocument } from '../../../wire/presence/states.js';
import { mapPresence, routingTable, type PresenceView } from '../../../router/routing-state.js';

const ENTITY = 'sip:kw1@lab.local';

function doc(xml: string): PresenceView {
  const parsed = parsePidf(xml);
  if (!parsed.ok) throw new Error(parsed.error);
  return { kind: 'document', presence: parsed.value };
}

function ours(d: Omit<PresenceDocument, 'entity'>): PresenceView {
  return doc(encodePidf({ entity: ENTITY, ...d }));
}

describe('routing state from our own PIDF (the KW Desktop states)', () => {
  it.each([
    ['available', { kind: 'Ready' }],
    ['busy', { kind: 'NotReady', reason: 'busy' }],
    ['dnd', { kind: 'NotReady', reason: 'dnd' }],
    ['brb', { kind: 'NotReady', reason: 'away' }],
    ['away', { kind: 'NotReady', reason: 'away' }],
    ['on-the-phone', { kind: 'NotReady', reason: 'on-the-phone' }],
    ['offline', { kind: 'LoggedOut' }],
  ] as const)('%s → %j', (state, expected) => {
    expect(mapPresence(doc(encodePidf(presenceDocument(ENTITY, state))))).toEqual(expected);
  });
});

describe('routing state from what other clients publish', () => {
  it('Linphone-style DND: closed + busy → NotReady dnd, not logged out', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="sip:kw1@lab.local">
  <tuple id="t1"><status><basic>closed</basic></status></tuple>
  <dm:person id="p1"><rpid:activities><rpid:busy/></rpid:activities></dm:person>
</presence>`;
    expect(mapPresence(doc(xml))).toEqual({ kind: 'NotReady', reason: 'dnd' });
  });

  it('a DND note on an open document → NotReady dnd', () => {
    expect(
      mapPresence(ours({ basic: 'open', activities: ['busy'], note: 'Do not disturb - meeting' })),
    ).toEqual({
      kind: 'NotReady',
      reason: 'dnd',
    });
  });

  it('multi-tuple (two devices merged): open wins over closed', () => {
    const xml = `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:kw1@lab.local">
  <tuple id="desk"><status><basic>closed</basic></status></tuple>
  <tuple id="phone"><status><basic>open</basic></status><note>Online</note></tuple>
</presence>`;
    expect(mapPresence(doc(xml))).toEqual({ kind: 'Ready' });
  });

  it('multi-tuple with an activity on one device → NotReady with that activity', () => {
    const xml = `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:kw1@lab.local">
  <tuple id="a"><status><basic>open</basic></status></tuple>
  <tuple id="b"><status><basic>open</basic></status><rpid:activities><rpid:on-the-phone/></rpid:activities></tuple>
</presence>`;
    expect(mapPresence(doc(xml))).toEqual({ kind: 'NotReady', reason: 'on-the-phone' });
  });

  it('"online" next to <basic>closed</basic>: basic decides', () => {
    const xml = `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:kw1@lab.local">
  <tuple id="a"><status><basic>closed</basic></status><note>online</note></tuple>
</presence>`;
    expect(mapPresence(doc(xml))).toEqual({ kind: 'LoggedOut' });
  });

  it('no document (never published / withdrawn) → LoggedOut', () => {
    expect(mapPresence({ kind: 'none' })).toEqual({ kind: 'LoggedOut' });
  });

  it('an unreadable body or a subscription being renewed → NotReady, never Ready', () => {
    expect(mapPresence({ kind: 'unreadable', error: 'x' })).toEqual({
      kind: 'NotReady',
      reason: 'presence-unreadable',
    });
    expect(mapPresence({ kind: 'unknown' })).toEqual({ kind: 'NotReady', reason: 'presence-unknown' });
  });
});

describe('configurable table', () => {
  it('maps reasons over the defaults', () => {
    const table = routingTable({ 'on-the-phone': 'Ready', away: 'LoggedOut', dnd: 'LoggedOut' });
    expect(mapPresence(ours({ basic: 'open', activities: ['on-the-phone'] }), table)).toEqual({
      kind: 'Ready',
    });
    expect(mapPresence(ours({ basic: 'open', activities: ['away'] }), table)).toEqual({ kind: 'LoggedOut' });
    expect(
      mapPresence(ours({ basic: 'open', activities: ['busy'], extensions: { dnd: true } }), table),
    ).toEqual({ kind: 'LoggedOut' });
    // untouched entries keep their defaults
    expect(mapPresence(ours({ basic: 'open', activities: ['busy'] }), table)).toEqual({
      kind: 'NotReady',
      reason: 'busy',
    });
    expect(mapPresence(ours({ basic: 'closed', activities: [] }), table)).toEqual({ kind: 'LoggedOut' });
  });
});
