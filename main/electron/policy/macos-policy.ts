/**
 * macOS: managed preferences (an MDM profile) for the domain
 * com.kwdesktop.KWDesktop, machine-wide and for the user; the user's file
 * wins key by key. Each holds `Default` and `Enforced` dictionaries. A binary
 * plist is converted with `plutil -convert xml1 -o - <file>`; where plutil is
 * missing or fails, that file is skipped and said why.
 */
import { EMPTY_RAW_POLICY, type RawPolicy } from '../../app/policy/policy-model.js';
import { parsePlistXml } from './plist-xml.js';
import { rawSections } from './raw-sections.js';
import type { ReadBytes, RunCommand } from './policy-sources.js';

export const MACOS_POLICY_DOMAIN = 'com.kwdesktop.KWDesktop';
const MANAGED = '/Library/Managed Preferences';

export interface MacPolicySources {
  readonly readBytes: ReadBytes;
  readonly run: RunCommand;
  readonly user: string;
}

/** Machine-wide first, then the user's: later files win. */
export function macPolicyPaths(user: string): string[] {
  const machine = `${MANAGED}/${MACOS_POLICY_DOMAIN}.plist`;
  const safeUser = /^[^/\0]+$/.test(user) && user !== '.' && user !== '..';
  return safeUser ? [machine, `${MANAGED}/${user}/${MACOS_POLICY_DOMAIN}.plist`] : [machine];
}

export async function readMacPolicy(sources: MacPolicySources): Promise<RawPolicy> {
  let merged: RawPolicy = EMPTY_RAW_POLICY;
  for (const path of macPolicyPaths(sources.user)) {
    const one = await readPlistPolicy(path, sources);
    merged = {
      Default: { ...merged.Default, ...one.Default },
      Enforced: { ...merged.Enforced, ...one.Enforced },
      problems: [...merged.problems, ...one.problems],
    };
  }
  return merged;
}

async function readPlistPolicy(path: string, sources: MacPolicySources): Promise<RawPolicy> {
  let bytes: Buffer | undefined;
  try {
    bytes = await sources.readBytes(path);
  } catch (error) {
    return problem(`${path}: cannot be read (${messageOf(error)})`);
  }
  if (bytes === undefined) return EMPTY_RAW_POLICY;
  const xml = isBinaryPlist(bytes) ? await convertBinary(path, sources.run) : bytes.toString('utf8');
  if (typeof xml !== 'string') return xml;
  const parsed = parsePlistXml(xml);
  if (!parsed.ok) return problem(`${path}: not a readable property list (${parsed.error})`);
  return rawSections(parsed.value, path);
}

function isBinaryPlist(bytes: Buffer): boolean {
  return bytes.subarray(0, 6).toString('latin1') === 'bplist';
}

async function convertBinary(path: string, run: RunCommand): Promise<string | RawPolicy> {
  const result = await run('plutil', ['-convert', 'xml1', '-o', '-', path]);
  if (result.code === undefined)
    return problem(`${path}: a binary property list, and plutil is not available`);
  if (result.code !== 0)
    return problem(`${path}: plutil could not convert it (${result.stderr.trim() || `exit ${result.code}`})`);
  return result.stdout;
}

function problem(text: string): RawPolicy {
  return { ...EMPTY_RAW_POLICY, problems: [text] };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
