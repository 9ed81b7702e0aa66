/** The `{ Default, Enforced }` sections of a policy document (JSON or plist), each optional. */
import { EMPTY_RAW_POLICY, isPlainObject, type RawPolicy } from '../../app/policy/policy-model.js';

const SECTIONS = ['Default', 'Enforced'] as const;

export function rawSections(value: unknown, source: string): RawPolicy {
  if (!isPlainObject(value))
    return { ...EMPTY_RAW_POLICY, problems: [`${source}: not an object with Default and Enforced`] };
  const problems: string[] = [];
  for (const key of Object.keys(value)) {
    if (!(SECTIONS as readonly string[]).includes(key))
      problems.push(`${source}: unknown section ${key}, ignored`);
  }
  const section = (name: (typeof SECTIONS)[number]): Record<string, unknown> => {
    const found = value[name];
    if (found === undefined) return {};
    if (isPlainObject(found)) return found;
    problems.push(`${source}: ${name} is not an object, ignored`);
    return {};
  };
  return { Default: section('Default'), Enforced: section('Enforced'), problems };
}
