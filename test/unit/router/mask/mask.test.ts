import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { parseRouterConfig, RouterConfigError, type RawRouterConfig } from '../../../../router/config.js';
import {
  HIDDEN_MARKER,
  MASK_LIMITS,
  maskPreview,
  maskUserData,
  maskValue,
  unmaskedKeys,
  type MaskRules,
} from '../../../../router/mask.js';
import { dryRun } from '../../../../router/dashboard/dry-run.js';
import { DryRunResultSchema } from '../../../../wire/dashboard.js';
import { CONTROL_CONTENT_TYPE } from '../../../../wire/content-types.js';
import { encodeControlMessage, parseControlMessage } from '../../../../wire/control.js';

const RP = 'sip:rp@lab.local';
type Point = RawRouterConfig['routingPoints'][number];
type RawMask = NonNullable<Point['mask']>;

function configWith(mask: RawMask | undefined) {
  return parseRouterConfig({
    routingPoints: [{ uri: RP, strategy: 'longest-idle', members: ['kw1'], ...(mask ? { mask } : {}) }],
  });
}
function rules(mask: RawMask): MaskRules {
  const rp = configWith(mask).routingPoints[0];
  if (!rp?.mask) throw new Error('no mask');
  return rp.mask;
}
function problemsOf(mask: unknown): string[] {
  try {
    parseRouterConfig({ routingPoints: [{ uri: RP, strategy: 'longest-idle', members: ['kw1'], mask }] });
  } catch (error) {
    if (error instanceof RouterConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

const BRIEF_RULES: RawMask = {
  CardNumber: { keepLast: 4 },
  Iban: { pattern: '^(..)(.*)(....)$', replace: '$1…$3' },
  Ssn: 'hide',
};

describe('mask rules: each kind', () => {
  const r = rules(BRIEF_RULES);

  it('keeps the last N characters behind a fixed fill, so the length does not show', () => {
    expect(maskUserData({ CardNumber: '4111 1111 1111 1234' }, r)).toEqual({ CardNumber: '•••• 1234' });
    expect(maskUserData({ CardNumber: '41111234' }, r)).toEqual({ CardNumber: '•••• 1234' });
  });

  it('hides a value no longer than what would be kept (it would show whole)', () => {
    expect(maskUserData({ CardNumber: '1234' }, r)).toEqual({ CardNumber: '••••' });
    expect(maskUserData({ CardNumber: '' }, r)).toEqual({ CardNumber: '••••' });
  });

  it('keeps characters, not UTF-16 halves', () => {
    expect(maskValue({ kind: 'keep-last', keep: 2 }, 'abc😀z')).toBe('•••• 😀z');
  });

  it('hides all behind the marker', () => {
    expect(maskUserData({ Ssn: '078-05-1120' }, r)).toEqual({ Ssn: HIDDEN_MARKER });
  });

  it('rewrites with a pattern and its replacement', () => {
    expect(maskUserData({ Iban: 'DE89370400440532013000' }, r)).toEqual({ Iban: 'DE…3000' });
  });

  it('hides a value the pattern does not match whole (a partial rewrite would leak the rest)', () => {
    const digits = rules({ Ref: { pattern: '\\d{4}', replace: '****' } });
    expect(maskUserData({ Ref: '1234' }, digits)).toEqual({ Ref: '****' });
    expect(maskUserData({ Ref: '1234 5678' }, digits)).toEqual({ Ref: HIDDEN_MARKER });
    expect(maskUserData({ Iban: 'DE1' }, r)).toEqual({ Iban: HIDDEN_MARKER });
  });

  it('leaves keys without a rule as they are (no default rule)', () => {
    expect(maskUserData({ Tier: 'gold', CaseNumber: '42' }, r)).toEqual({ Tier: 'gold', CaseNumber: '42' });
  });
});

describe('mask rules: keys ignore case, as SIP header names do', () => {
  it('matches a key whatever case the agent wrote it in, and keeps the agent’s case', () => {
    const r = rules(BRIEF_RULES);
    expect(maskUserData({ cardnumber: '4111111111111234', SSN: 'x', iBaN: 'GB12ABCD1234' }, r)).toEqual({
      cardnumber: '•••• 1234',
      SSN: HIDDEN_MARKER,
      iBaN: 'GB…1234',
    });
  });

  it('refuses two rules for one key spelled in two cases', () => {
    expect(problemsOf({ Ssn: 'hide', SSN: { keepLast: 2 } })).toEqual([
      'routingPoints.0.mask.SSN: a rule for this key is already given (keys ignore case)',
    ]);
  });
});

describe('mask rules: checked at load', () => {
  it('refuses a bad regular expression, naming the key', () => {
    const problems = problemsOf({ Iban: { pattern: '^(..', replace: '$1' } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^routingPoints\.0\.mask\.Iban\.pattern: not a valid regular expression/);
  });

  it('refuses patterns that backtrack for ever', () => {
    for (const pattern of [
      '^(a+)+$',
      '(\\d*)*x',
      '^(a|aa)+$',
      '(x+){2,}',
      '((a+))+$',
      '(?:\\w+\\s?)*$',
      '(a(b|c))+',
    ]) {
      expect(problemsOf({ Ref: { pattern, replace: '' } })[0]).toMatch(
        /^routingPoints\.0\.mask\.Ref\.pattern: a repeated group/,
      );
    }
  });

  it('refuses a pattern longer than the limit, an unknown rule, a bad key, keepLast 0', () => {
    const long = 'a'.repeat(MASK_LIMITS.patternLength + 1);
    expect(problemsOf({ Ref: { pattern: long, replace: '' } })[0]).toMatch(
      /mask\.Ref\.pattern: must be at most 200/,
    );
    expect(problemsOf({ Ref: 'blur' })[0]).toMatch(/mask\.Ref: must be "hide"/);
    expect(problemsOf({ 'Bad Key': 'hide' })[0]).toMatch(/must be a user data key/);
    expect(problemsOf({ Ref: { keepLast: 0 } }).join()).toMatch(/keepLast: must be ≥ 1/);
  });

  it('accepts the usual shapes: groups, lazy and bounded quantifiers, classes, named groups', () => {
    for (const pattern of [
      '^(..)(.*)(....)$',
      '^(\\d{4} ?){3}(\\d{4})$',
      '^(?<cc>[A-Z]{2})[(+*)]+(.*?)$',
      '^(?:ab)+$',
    ]) {
      expect(problemsOf({ Ref: { pattern, replace: '$1' } })).toEqual([]);
    }
  });

  it('leaves a routing point without `mask` with no rules', () => {
    expect(configWith(undefined).routingPoints[0]?.mask).toBeUndefined();
  });
});

describe('mask rules: long values', () => {
  const r = rules({ Iban: { pattern: '^(..)(.*)(....)$', replace: '$1…$3' }, Card: { keepLast: 4 } });

  it('does not run a pattern on a value over the limit: hidden instead', () => {
    const long = `DE${'0'.repeat(MASK_LIMITS.valueLength)}1234`;
    expect(maskUserData({ Iban: long }, r)).toEqual({ Iban: HIDDEN_MARKER });
  });

  it('keeps the last N of the longest value a preview carries', () => {
    expect(maskUserData({ Card: `${'9'.repeat(1020)}4321` }, r)).toEqual({ Card: '•••• 4321' });
  });

  it('a pattern that passes the load check runs in bounded time on a value at the limit', () => {
    const ok = rules({ Ref: { pattern: '^(\\d+)-(\\d+)-(\\d+)$', replace: '$1-…' } });
    const started = performance.now();
    expect(maskUserData({ Ref: `${'1'.repeat(MASK_LIMITS.valueLength - 1)}!` }, ok)).toEqual({
      Ref: HIDDEN_MARKER,
    });
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('mask rules: what leaves the router', () => {
  const r = rules(BRIEF_RULES);
  const preview = {
    interactionId: '0b8a3c52-7a1e-4c2b-9b8e-1f2a3b4c5d6e',
    agent: { uri: 'sip:agent1@lab.local', displayName: 'Agent One' },
    routingPoint: RP,
    subject: 'Card dispute',
    text: 'Customer asks',
    userData: { CardNumber: '4111 1111 1111 1234', Tier: 'gold' },
    expiresAt: new Date(0).toISOString(),
  };

  it('the preview carries the masked user data and stays a valid control message', () => {
    const masked = maskPreview(preview, r);
    expect(masked.userData).toEqual({ CardNumber: '•••• 1234', Tier: 'gold' });
    expect(preview.userData.CardNumber).toBe('4111 1111 1111 1234'); // the request itself is untouched
    const body = encodeControlMessage('preview', masked);
    expect(body).not.toContain('1111');
    expect(parseControlMessage(CONTROL_CONTENT_TYPE, body).ok).toBe(true);
  });

  it('an escalated call’s user data passes only when already in its masked form', () => {
    expect(unmaskedKeys({ CardNumber: '4111 1111 1111 1234', Tier: 'gold' }, r)).toEqual(['CardNumber']);
    expect(unmaskedKeys({ cardnumber: '•••• 1234', Ssn: HIDDEN_MARKER, Iban: 'DE…3000' }, r)).toEqual([]);
    expect(unmaskedKeys({ CardNumber: '4111' }, undefined)).toEqual([]);
  });
});

describe('mask rules: the dry run shows them', () => {
  it('lists each key with its rule and the value a KW would see, then the unused rules', () => {
    const result = dryRun(configWith(BRIEF_RULES), {
      routingPoint: RP,
      members: [{ kw: 'kw1', presence: { kind: 'state', state: 'available' } }],
      userData: { cardNumber: '4111 1111 1111 1234', Tier: 'gold' },
    });
    expect(v.safeParse(DryRunResultSchema, result).success).toBe(true);
    if (!result.ok) throw new Error(result.problems.join());
    expect(result.userData).toEqual([
      { key: 'cardNumber', rule: 'last 4 kept', value: '•••• 1234' },
      { key: 'Tier', rule: 'not masked', value: 'gold' },
      { key: 'iban', rule: 'pattern ^(..)(.*)(....)$ → $1…$3' },
      { key: 'ssn', rule: 'hidden' },
    ]);
    expect(JSON.stringify(result)).not.toContain('1111');
  });

  it('checks the rules of an edited config like the config file', () => {
    const result = dryRun(configWith(undefined), {
      routingPoint: RP,
      members: [],
      config: {
        routingPoints: [
          {
            uri: RP,
            strategy: 'longest-idle',
            members: ['kw1'],
            mask: { Iban: { pattern: '(', replace: '' } },
          },
        ],
      },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]).toMatch(
      /^config: routingPoints\.0\.mask\.Iban\.pattern: not a valid regular expression/,
    );
  });

  it('leaves the field out when there is neither user data nor a rule', () => {
    const result = dryRun(configWith(undefined), { routingPoint: RP, members: [] });
    expect(result.ok && 'userData' in result).toBe(false);
  });
});
