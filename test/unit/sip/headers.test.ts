import { describe, expect, it } from 'vitest';
import { HeaderError, headerLine, rawHeaders } from '../../../wire/sip/headers.js';
import {
  decodeHeaderValue,
  encodeHeaderValue,
  readUserData,
  userDataHeaders,
} from '../../../wire/user-data.js';

const RAW = [
  'MESSAGE sip:kw1@lab.local SIP/2.0',
  'Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK1',
  'X-Interaction-Id: 6f1c',
  'X-UserData-CaseNumber: 12345',
  'X-UserData-CustomerName: Ren%C3%A9e%20O%27Hara',
  'x-userdata-lowercase: kept',
  'Subject: a long',
  '  folded subject',
  '',
  'X-UserData-InBody: not a header',
].join('\r\n');

describe('header helpers', () => {
  it('builds header lines and refuses injection', () => {
    expect(headerLine('X-Interaction-Id', 'abc')).toBe('X-Interaction-Id: abc');
    expect(() => headerLine('X-Bad', 'a\r\nVia: evil')).toThrow(HeaderError);
    expect(() => headerLine('Bad Name', 'x')).toThrow(HeaderError);
  });

  it('percent-encodes non-ASCII, controls and % and decodes back', () => {
    const value = 'Renée 100% <ok>\t漢字';
    const encoded = encodeHeaderValue(value);
    expect(encoded).toMatch(/^[\x20-\x7e]*$/);
    expect(encoded).toContain('%25');
    expect(decodeHeaderValue(encoded)).toBe(value);
  });

  it('keeps a stray % as sent when a client did not encode', () => {
    expect(decodeHeaderValue('100% sure')).toBe('100% sure');
  });

  it('writes user data headers with the prefix', () => {
    expect(userDataHeaders({ CaseNumber: '42', Name: 'Zoë' })).toEqual([
      'X-UserData-CaseNumber: 42',
      'X-UserData-Name: Zo%C3%AB',
    ]);
    expect(userDataHeaders({ Tier: 'gold' }, 'X-Genesys-')).toEqual(['X-Genesys-Tier: gold']);
  });

  it('reads raw headers, joining folded lines and ignoring the body', () => {
    const headers = rawHeaders(RAW);
    expect(headers.find((h) => h.name === 'Subject')?.value).toBe('a long folded subject');
    expect(headers.some((h) => h.name.includes('InBody'))).toBe(false);
  });

  it('reads user data with the keys in their original case, decoded', () => {
    expect(readUserData(RAW)).toEqual({
      CaseNumber: '12345',
      CustomerName: "Renée O'Hara",
      lowercase: 'kept',
    });
  });
});

describe('reason phrases', () => {
  it('keeps only what the SIP grammar allows, so no parser drops the response', async () => {
    const { sanitizeReasonPhrase } = await import('../../../wire/sip/headers.js');
    expect(sanitizeReasonPhrase('Invalid key: Expected "displayName" but received <x>\r\nVia: evil')).toBe(
      "Invalid key: Expected 'displayName' but received x Via: evil",
    );
    expect(sanitizeReasonPhrase('Übermäßig {lang} [x]|^')).toBe('Übermäßig lang x');
    expect(sanitizeReasonPhrase('x'.repeat(300))).toHaveLength(120);
  });
});
