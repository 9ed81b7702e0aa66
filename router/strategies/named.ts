/**
 * Named KW: the agent names the expert in a user data field (default key `KW`,
 * matched case-insensitively like any header), as a user part (`kw1`) or a URI
 * (`sip:kw1@lab.local`). When that member is not eligible, the fallback
 * strategy picks someone else; without a fallback the interaction waits for
 * that member — and gives up at once when they can never be offered (not a
 * member, or already offered this interaction).
 */
import { toAor } from '../../wire/sip/uri.js';
import type { Selection, Strategy, StrategyInput } from './types.js';

export interface NamedOptions {
  readonly key: string;
  readonly fallback: Strategy | undefined;
}

export function resolveNamedMember(value: string, members: readonly string[]): string | undefined {
  const wanted = value.trim();
  if (wanted === '') return undefined;
  const aor = wanted.includes(':') ? toAor(wanted) : undefined;
  if (aor !== undefined) return members.find((m) => m.toLowerCase() === aor.toLowerCase());
  return members.find((m) => /^sips?:([^@]+)@/.exec(m)?.[1]?.toLowerCase() === wanted.toLowerCase());
}

export function namedValue(userData: Readonly<Record<string, string>>, key: string): string | undefined {
  const lower = key.toLowerCase();
  for (const [k, value] of Object.entries(userData)) if (k.toLowerCase() === lower) return value;
  return undefined;
}

export function named(options: NamedOptions): Strategy {
  return {
    name: options.fallback ? `named (fallback ${options.fallback.name})` : 'named',
    select(input: StrategyInput): Selection {
      const value = namedValue(input.userData, options.key);
      const member = value === undefined ? undefined : resolveNamedMember(value, input.members);
      if (member !== undefined && input.eligible.some((m) => m.uri === member))
        return { kind: 'offer', kws: [member] };
      if (options.fallback) return options.fallback.select(input);
      if (value === undefined) return { kind: 'give-up', why: `no ${options.key} in the user data` };
      if (member === undefined) return { kind: 'give-up', why: `${value} is not a member` };
      if (input.offered.has(member)) return { kind: 'give-up', why: `${member} was already offered` };
      return { kind: 'wait', why: `${member} is not eligible` };
    },
  };
}
