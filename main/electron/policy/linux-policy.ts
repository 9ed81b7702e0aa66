/**
 * Linux: the policy is a JSON file, `/etc/kw-desktop/policy.json` by default:
 * `{ "Default": { ... }, "Enforced": { ... } }`. No file = no policy; a file
 * that cannot be read or is not that shape = no policy, and said why.
 */
import { EMPTY_RAW_POLICY, type RawPolicy } from '../../app/policy/policy-model.js';
import { rawSections } from './raw-sections.js';
import type { ReadText } from './policy-sources.js';

export const LINUX_POLICY_PATH = '/etc/kw-desktop/policy.json';

export async function readLinuxPolicy(readText: ReadText, path = LINUX_POLICY_PATH): Promise<RawPolicy> {
  let text: string | undefined;
  try {
    text = await readText(path);
  } catch (error) {
    return problem(`${path}: cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  if (text === undefined) return EMPTY_RAW_POLICY;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return problem(`${path}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return rawSections(value, path);
}

function problem(text: string): RawPolicy {
  return { ...EMPTY_RAW_POLICY, problems: [text] };
}
