/**
 * Masked customer data (issue 16, point 3): per routing point, rules for
 * user-data keys that rewrite a value before anything carrying it leaves the
 * router for a KW. Three kinds: keep the last N characters, hide all, or a
 * pattern with a replacement. Keys match case-insensitively (SIP header names
 * are, and the codec keeps the sender's case). Keys without a rule pass as is:
 * there is no default rule (README: Masked customer data).
 *
 * Fail closed: a value a rule cannot handle (a pattern that does not match the
 * whole value, a value too long to run a pattern on) is hidden, never sent as is.
 */
import * as v from 'valibot';
import type { ControlInput } from '../wire/control.js';

/** What a hidden value becomes (and what "keep the last N" puts before the kept part). */
export const HIDDEN_MARKER = '(hidden)';
export const MASK_FILL = '••••';

export const MASK_LIMITS = {
  /** Rules per routing point (a preview carries at most 50 user-data keys). */
  rules: 50,
  /** Characters of a pattern: long patterns are where backtracking hides. */
  patternLength: 200,
  /** Characters of a value a pattern runs on; a longer value is hidden without running it. */
  valueLength: 256,
  replaceLength: 200,
  keepLast: 64,
} as const;

export type MaskRule =
  | { readonly kind: 'keep-last'; readonly keep: number }
  | { readonly kind: 'hide' }
  | { readonly kind: 'pattern'; readonly regex: RegExp; readonly replace: string };

/** Rules by lower-case key. */
export type MaskRules = ReadonlyMap<string, MaskRule>;

const KEY = /^[A-Za-z0-9_.-]{1,64}$/;

/** The `mask` key of a routing point in the config file (shape only; patterns are compiled by `compileMask`). */
export const MaskConfigSchema = v.pipe(
  v.record(
    v.pipe(v.string(), v.regex(KEY, 'must be a user data key (a token of at most 64 characters)')),
    v.union(
      [
        v.literal('hide'),
        v.strictObject({
          keepLast: v.pipe(
            v.number('must be a number'),
            v.integer('must be an integer'),
            v.minValue(1, 'must be ≥ 1'),
            v.maxValue(MASK_LIMITS.keepLast, `must be ≤ ${MASK_LIMITS.keepLast}`),
          ),
        }),
        v.strictObject({
          pattern: v.pipe(
            v.string(),
            v.minLength(1, 'must not be empty'),
            v.maxLength(MASK_LIMITS.patternLength, `must be at most ${MASK_LIMITS.patternLength} characters`),
          ),
          replace: v.pipe(
            v.string(),
            v.maxLength(MASK_LIMITS.replaceLength, `must be at most ${MASK_LIMITS.replaceLength} characters`),
          ),
        }),
      ],
      'must be "hide", {"keepLast": N} or {"pattern": "…", "replace": "…"}',
    ),
  ),
  v.check((r) => Object.keys(r).length <= MASK_LIMITS.rules, `must have at most ${MASK_LIMITS.rules} rules`),
);

export type RawMaskConfig = v.InferOutput<typeof MaskConfigSchema>;

/** After a group: a quantifier that repeats it without bound. */
const UNBOUNDED = /^(?:[+*]|\{\d+,\d*\})/;
const ANY_QUANTIFIER = /^(?:[+*?]|\{\d+(?:,\d*)?\})/;

/**
 * Whether the pattern repeats without bound a group that itself repeats or
 * alternates (`(a+)+`, `((a|b))*`, `(?:\w\s?)*`): the shapes that backtrack
 * exponentially. Refused at load; a heuristic on top of the length limits.
 */
export function repeatsARepeat(pattern: string): boolean {
  const open: boolean[] = []; // per open group: whether it holds a quantifier or an alternation
  const mark = (): void => void (open.length > 0 && (open[open.length - 1] = true));
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '\\') {
      i++;
    } else if (inClass) {
      inClass = c !== ']';
    } else if (c === '[') {
      inClass = true;
    } else if (c === '(') {
      open.push(false);
      // A group's kind (`(?:`, `(?=`, `(?<name>`) is not a quantifier.
      const kind = /^\?(?:[:=!]|<[=!]|<[A-Za-z_$][\w$]*>)/.exec(pattern.slice(i + 1));
      if (kind) i += kind[0].length;
    } else if (c === ')') {
      const risky = open.pop() ?? false;
      const after = pattern.slice(i + 1);
      if (risky && UNBOUNDED.test(after)) return true;
      if (risky || ANY_QUANTIFIER.test(after)) mark();
    } else if (ANY_QUANTIFIER.test(pattern.slice(i)) || c === '|') {
      mark();
    }
  }
  return false;
}

/** Compiles the rules; each problem names the field (`routingPoints.0.mask.Iban.pattern: …`). */
export function compileMask(raw: RawMaskConfig | undefined, field: string, problems: string[]): MaskRules {
  const rules = new Map<string, MaskRule>();
  for (const [key, rule] of Object.entries(raw ?? {})) {
    const at = `${field}.${key}`;
    const lower = key.toLowerCase();
    if (rules.has(lower)) {
      problems.push(`${at}: a rule for this key is already given (keys ignore case)`);
      continue;
    }
    const compiled = compileRule(rule, at, problems);
    if (compiled) rules.set(lower, compiled);
  }
  return rules;
}

function compileRule(rule: RawMaskConfig[string], at: string, problems: string[]): MaskRule | undefined {
  if (rule === 'hide') return { kind: 'hide' };
  if ('keepLast' in rule) return { kind: 'keep-last', keep: rule.keepLast };
  if (repeatsARepeat(rule.pattern)) {
    problems.push(`${at}.pattern: a repeated group that itself repeats or alternates can take forever`);
    return undefined;
  }
  try {
    return { kind: 'pattern', regex: new RegExp(rule.pattern, 'u'), replace: rule.replace };
  } catch (error) {
    problems.push(`${at}.pattern: not a valid regular expression (${(error as Error).message})`);
    return undefined;
  }
}

/** One value as a KW may see it. */
export function maskValue(rule: MaskRule, value: string): string {
  switch (rule.kind) {
    case 'hide':
      return HIDDEN_MARKER;
    case 'keep-last': {
      const chars = Array.from(value.trim());
      // A value no longer than what is kept would be shown whole: hide it instead.
      if (chars.length <= rule.keep) return MASK_FILL;
      return `${MASK_FILL} ${chars.slice(-rule.keep).join('')}`;
    }
    case 'pattern': {
      if (value.length > MASK_LIMITS.valueLength) return HIDDEN_MARKER;
      const match = rule.regex.exec(value);
      // Only a match of the whole value is rewritten: what a partial match leaves would leak.
      if (!match || match.index !== 0 || match[0].length !== value.length) return HIDDEN_MARKER;
      return value.replace(rule.regex, rule.replace);
    }
  }
}

export function ruleFor(rules: MaskRules | undefined, key: string): MaskRule | undefined {
  return rules?.get(key.toLowerCase());
}

/** User data as a KW may see it: every key with a rule rewritten, the others as they are. */
export function maskUserData(
  data: Readonly<Record<string, string>>,
  rules: MaskRules | undefined,
): Record<string, string> {
  if (!rules || rules.size === 0) return { ...data };
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => {
      const rule = ruleFor(rules, key);
      return [key, rule ? maskValue(rule, value) : value];
    }),
  );
}

/** The preview a KW gets: its user data masked. */
export function maskPreview(
  preview: ControlInput<'preview'>,
  rules: MaskRules | undefined,
): ControlInput<'preview'> {
  return rules && rules.size > 0 ? { ...preview, userData: maskUserData(preview.userData, rules) } : preview;
}

/** Keys whose value is not in its masked form already (an escalated call carrying them is refused). */
export function unmaskedKeys(data: Readonly<Record<string, string>>, rules: MaskRules | undefined): string[] {
  if (!rules || rules.size === 0) return [];
  return Object.entries(data)
    .filter(([key, value]) => {
      const rule = ruleFor(rules, key);
      return rule !== undefined && maskValue(rule, value) !== value;
    })
    .map(([key]) => key);
}

/** A rule in words, for the dry run. */
export function describeRule(rule: MaskRule | undefined): string {
  if (!rule) return 'not masked';
  switch (rule.kind) {
    case 'hide':
      return 'hidden';
    case 'keep-last':
      return `last ${rule.keep} kept`;
    case 'pattern':
      return `pattern ${rule.regex.source} → ${rule.replace}`;
  }
}

export interface MaskedEntry {
  readonly key: string;
  readonly rule: string;
  /** As a KW would receive it; absent for a rule whose key the data does not carry. */
  readonly value?: string;
}

/** The dry run's view: each key with its rule and masked value, then the rules no key used. */
export function maskedView(
  data: Readonly<Record<string, string>>,
  rules: MaskRules | undefined,
  maxText = 500,
): MaskedEntry[] {
  const masked = maskUserData(data, rules);
  const entries: MaskedEntry[] = Object.entries(masked).map(([key, value]) => ({
    key: key.slice(0, maxText),
    rule: describeRule(ruleFor(rules, key)).slice(0, maxText),
    value: value.slice(0, maxText),
  }));
  const used = new Set(Object.keys(data).map((k) => k.toLowerCase()));
  for (const [key, rule] of rules ?? []) {
    if (!used.has(key)) entries.push({ key, rule: describeRule(rule).slice(0, maxText) });
  }
  return entries;
}
