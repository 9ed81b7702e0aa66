import { describe, expect, it } from 'vitest';
import { Registrar } from '../../../lab/sip-server/registrar.js';
import { parseNameAddr, type NameAddr } from '../../../lab/sip-server/syntax.js';

const na = (s: string): NameAddr => parseNameAddr(s) as NameAddr;

describe('Registrar', () => {
  it('grants the contact expires, else the header, else 600, capped at 3600', () => {
    const r = new Registrar();
    expect(r.grantedExpires('30', '100')).toBe(30);
    expect(r.grantedExpires(undefined, '100')).toBe(100);
    expect(r.grantedExpires(undefined, undefined)).toBe(600);
    expect(r.grantedExpires('99999', undefined)).toBe(3600);
    expect(r.grantedExpires('junk', undefined)).toBe(600);
  });

  it('binds, lists the most recent first, echoes contacts with expires, and removes', () => {
    let now = 0;
    const r = new Registrar({ now: () => now });
    r.update('kw1@lab.local', 1, [
      {
        addr: na('<sip:a@x.invalid;transport=ws>;+sip.instance="<urn:uuid:1>";reg-id=1;expires=60'),
        expires: 60,
      },
    ]);
    now = 10;
    const list = r.update('kw1@lab.local', 2, [{ addr: na('<sip:b@y.invalid;transport=ws>'), expires: 600 }]);
    expect(list.map((b) => b.uri)).toEqual(['sip:b@y.invalid;transport=ws', 'sip:a@x.invalid;transport=ws']);
    const older = list[1];
    expect(older && r.contactHeader(older)).toBe(
      '<sip:a@x.invalid;transport=ws>;+sip.instance="<urn:uuid:1>";reg-id=1;expires=60',
    );
    r.update('kw1@lab.local', 2, [{ addr: na('<sip:b@y.invalid;transport=ws>'), expires: 0 }]);
    expect(r.lookup('kw1@lab.local')).toHaveLength(1);
    r.removeAll('kw1@lab.local');
    expect(r.lookup('kw1@lab.local')).toEqual([]);
    expect(r.hasSeen('kw1@lab.local')).toBe(true);
    expect(r.hasSeen('kw2@lab.local')).toBe(false);
  });

  it('replaces a binding of the same instance registered again from a new connection', () => {
    const r = new Registrar();
    const c = '<sip:a@x.invalid;transport=ws>;+sip.instance="<urn:uuid:1>";reg-id=1';
    r.update('kw1@lab.local', 1, [{ addr: na(c), expires: 600 }]);
    const list = r.update('kw1@lab.local', 7, [{ addr: na(c.replace('sip:a@x', 'sip:b@z')), expires: 600 }]);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ connId: 7, uri: 'sip:b@z.invalid;transport=ws' });
  });

  it('expires bindings and drops those of a closed connection', () => {
    let now = 0;
    const r = new Registrar({ now: () => now });
    r.update('kw1@lab.local', 1, [{ addr: na('<sip:a@x.invalid>'), expires: 5 }]);
    r.update('kw2@lab.local', 2, [{ addr: na('<sip:b@y.invalid>'), expires: 600 }]);
    expect(r.findByUri('sip:a@x.invalid;transport=ws')?.aor).toBe('kw1@lab.local');
    now = 5000;
    expect(r.lookup('kw1@lab.local')).toEqual([]);
    expect(r.sweep().map((b) => b.aor)).toEqual(['kw1@lab.local']);
    expect(r.dropConnection(2).map((b) => b.aor)).toEqual(['kw2@lab.local']);
    expect(r.size).toBe(0);
  });
});
