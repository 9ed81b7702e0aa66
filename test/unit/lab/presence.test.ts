import { describe, expect, it } from 'vitest';
import { mergePidf, pidfProblem, topLevelElements } from '../../../lab/sip-server/pidf.js';
import {
  PublicationStore,
  SubscriptionStore,
  type PublishInput,
} from '../../../lab/sip-server/presence-state.js';

const PIDF = 'application/pidf+xml';
const doc = (id: string, basic: string, extra = ''): string =>
  `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:kw1@lab.local">
  <tuple id="${id}"><status><basic>${basic}</basic></status></tuple>
  <!-- a comment -->
  <dm:person id="p-${id}"><rpid:activities>${extra}</rpid:activities></dm:person>
</presence>`;

function store(now: { t: number }): PublicationStore {
  let n = 0;
  return new PublicationStore({ now: () => now.t, minExpires: 60, newEtag: () => `e${++n}` });
}

const pub = (o: Partial<PublishInput>): PublishInput => ({
  aor: 'kw1@lab.local',
  ifMatch: undefined,
  expires: 600,
  body: doc('t1', 'open'),
  contentType: PIDF,
  ...o,
});

describe('PublicationStore (RFC 3903)', () => {
  it('creates, refreshes, modifies and removes with entity tags', () => {
    const now = { t: 0 };
    const s = store(now);
    expect(s.publish(pub({}))).toEqual({ status: 200, etag: 'e1', expires: 600, change: 'created' });
    expect(s.publish(pub({ ifMatch: 'e1', body: '' }))).toEqual({
      status: 200,
      etag: 'e2',
      expires: 600,
      change: 'refreshed',
    });
    expect(s.publish(pub({ ifMatch: 'e1', body: '' })).status).toBe(412);
    expect(s.publish(pub({ ifMatch: 'e2', body: doc('t1', 'closed') }))).toMatchObject({
      status: 200,
      etag: 'e3',
      change: 'modified',
    });
    expect(s.document('kw1@lab.local', 'sip:kw1@lab.local')).toContain('<basic>closed</basic>');
    expect(s.publish(pub({ ifMatch: 'e3', expires: 0, body: '' }))).toMatchObject({
      status: 200,
      expires: 0,
      change: 'removed',
    });
    expect(s.document('kw1@lab.local', 'sip:kw1@lab.local')).toBeUndefined();
  });

  it('refuses short intervals (Expires 0 excepted), bad types, bad XML and empty initial publications', () => {
    const s = store({ t: 0 });
    expect(s.publish(pub({ expires: 10 }))).toEqual({
      status: 423,
      reason: 'Interval Too Brief',
      minExpires: 60,
    });
    expect(s.publish(pub({ contentType: 'text/plain' })).status).toBe(415);
    expect(s.publish(pub({ body: '<presence><tuple>' })).status).toBe(400);
    expect(s.publish(pub({ body: '<note>hi</note>' }))).toMatchObject({
      status: 400,
      reason: 'Root element is not <presence>',
    });
    expect(s.publish(pub({ body: '' }))).toMatchObject({
      status: 400,
      reason: 'Initial PUBLISH without body',
    });
    expect(s.publish(pub({ expires: 99999 }))).toMatchObject({ status: 200, expires: 3600 });
  });

  it('does not let one presentity use the entity tag of another', () => {
    const s = store({ t: 0 });
    s.publish(pub({}));
    expect(s.publish(pub({ aor: 'kw2@lab.local', ifMatch: 'e1', body: '' })).status).toBe(412);
  });

  it('expires publications', () => {
    const now = { t: 0 };
    const s = store(now);
    s.publish(pub({ expires: 60 }));
    now.t = 60_000;
    expect(s.of('kw1@lab.local')).toEqual([]);
    expect(s.sweep().map((p) => p.aor)).toEqual(['kw1@lab.local']);
    expect(s.size).toBe(0);
  });

  it('merges the publications of several devices into one document', () => {
    const s = store({ t: 0 });
    s.publish(pub({ body: doc('pc', 'open') }));
    s.publish(pub({ body: doc('phone', 'closed', '<rpid:busy/>') }));
    const merged = s.document('kw1@lab.local', 'sip:kw1@lab.local') as string;
    expect(pidfProblem(merged)).toBeUndefined();
    const names = topLevelElements(
      merged.slice(merged.indexOf('>', merged.indexOf('<presence')) + 1, merged.lastIndexOf('</presence>')),
    ).map((e) => e.name);
    expect(names).toEqual(['tuple', 'tuple', 'dm:person', 'dm:person']);
    expect(merged).toContain(
      '<dm:person xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"',
    );
    expect(merged).toContain('entity="sip:kw1@lab.local"');
  });
});

describe('mergePidf', () => {
  it('passes a single document through and keeps prefixes of different publishers apart', () => {
    expect(mergePidf('sip:a@b', ['<presence xmlns="urn:ietf:params:xml:ns:pidf"/>'])).toBe(
      '<presence xmlns="urn:ietf:params:xml:ns:pidf"/>',
    );
    const a =
      '<p:presence xmlns:p="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"><p:tuple id="1"><p:status><p:basic>open</p:basic></p:status></p:tuple></p:presence>';
    const b =
      '<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:p="urn:other" entity="sip:a@b"><tuple id="2"><status><basic>closed</basic></status><p:x a=">"/></tuple></presence>';
    const merged = mergePidf('sip:a@b', [a, b]) as string;
    expect(pidfProblem(merged)).toBeUndefined();
    expect(merged).toContain('<p:tuple xmlns:p="urn:ietf:params:xml:ns:pidf" id="1">');
    expect(merged).toContain('<tuple xmlns="urn:ietf:params:xml:ns:pidf" xmlns:p="urn:other" id="2">');
  });
});

describe('SubscriptionStore', () => {
  it('indexes by dialog and reports expiry', () => {
    const now = { t: 0 };
    const subs = new SubscriptionStore(() => now.t);
    subs.add({
      id: SubscriptionStore.idOf('c1', 'L'),
      aor: 'kw1@lab.local',
      callId: 'c1',
      localTag: 'L',
      remoteTag: 'R',
      localUri: '<sip:kw1@lab.local>',
      remoteUri: '<sip:router@lab.local>',
      remoteTarget: 'sip:r@x.invalid',
      routeSet: [],
      eventId: undefined,
      connId: 1,
      expiresAt: 30_000,
      cseq: 0,
    });
    expect(subs.get('c1', 'L')?.aor).toBe('kw1@lab.local');
    expect(subs.watchersOf('kw1@lab.local')).toHaveLength(1);
    now.t = 10_500;
    const sub = subs.get('c1', 'L');
    expect(sub && subs.remaining(sub)).toBe(20);
    now.t = 30_000;
    expect(subs.expired()).toHaveLength(1);
  });
});
