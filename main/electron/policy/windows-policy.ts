/**
 * Windows: Group Policy writes HKLM\Software\Policies\KWDesktop, with the
 * subkeys Default and Enforced. Read without a native module: `reg.exe query
 * … /s` and its text output parsed here. Value names are the policy keys
 * (`account.uri`); a deeper subkey adds its name as a prefix
 * (Default\account → `account.`). REG_SZ / REG_EXPAND_SZ are strings,
 * REG_DWORD / REG_QWORD numbers (0 / 1 for a yes / no), REG_MULTI_SZ lists.
 */
import { EMPTY_RAW_POLICY, type RawPolicy } from '../../app/policy/policy-model.js';
import type { RunCommand } from './policy-sources.js';

export const WINDOWS_POLICY_KEY = 'HKLM\\Software\\Policies\\KWDesktop';
const KEY_LINE = /^HKEY_LOCAL_MACHINE\\Software\\Policies\\KWDesktop(?:\\(.*))?$/i;
const VALUE_LINE = /^ {4}(.+?) {4}(REG_[A-Z_0-9]+)(?: {4}(.*))?$/;

export async function readWindowsPolicy(run: RunCommand): Promise<RawPolicy> {
  const result = await run('reg.exe', ['query', WINDOWS_POLICY_KEY, '/s']);
  if (result.code === undefined) return problem('reg.exe could not be started');
  // reg.exe exits 1 when the key does not exist: no policy, not a problem.
  if (result.code !== 0) return EMPTY_RAW_POLICY;
  return parseRegQuery(result.stdout);
}

/** The text of `reg.exe query <key> /s` as the policy's raw sections. */
export function parseRegQuery(text: string): RawPolicy {
  const sections = { Default: {} as Record<string, unknown>, Enforced: {} as Record<string, unknown> };
  const problems: string[] = [];
  let target: { section: Record<string, unknown>; prefix: string } | undefined;
  for (const line of text.split(/\r?\n/)) {
    const key = KEY_LINE.exec(line);
    if (key) {
      target = sectionOf(key[1] ?? '', sections);
      if (!target && key[1]) problems.push(`registry: unknown subkey ${key[1]}, ignored`);
      continue;
    }
    const value = VALUE_LINE.exec(line);
    if (!value || !target) continue;
    const [, name = '', type = '', data = ''] = value;
    const parsed = regValue(type, data);
    if (parsed === undefined) problems.push(`registry: ${name} has type ${type}, ignored`);
    else target.section[target.prefix + name] = parsed;
  }
  return { ...sections, problems };
}

function sectionOf(
  subkey: string,
  sections: { Default: Record<string, unknown>; Enforced: Record<string, unknown> },
): { section: Record<string, unknown>; prefix: string } | undefined {
  const [head, ...rest] = subkey.split('\\');
  const name = head?.toLowerCase();
  const section = name === 'default' ? sections.Default : name === 'enforced' ? sections.Enforced : undefined;
  return section && { section, prefix: rest.map((part) => `${part}.`).join('') };
}

function regValue(type: string, data: string): unknown {
  switch (type) {
    case 'REG_SZ':
    case 'REG_EXPAND_SZ':
      return data;
    case 'REG_DWORD':
    case 'REG_QWORD':
      return /^0x[0-9a-f]+$/i.test(data) ? Number.parseInt(data.slice(2), 16) : undefined;
    case 'REG_MULTI_SZ':
      // reg.exe shows the separators as the two characters \0.
      return data === '' ? [] : data.split('\\0').filter((item) => item !== '');
    default:
      return undefined;
  }
}

function problem(text: string): RawPolicy {
  return { ...EMPTY_RAW_POLICY, problems: [text] };
}
