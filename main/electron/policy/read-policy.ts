/**
 * The policy of this machine: the platform's reader, then validation
 * (main/app/policy/policy-model.ts). Never throws: a policy that cannot be
 * read is an empty one, and every problem is logged.
 */
import { userInfo } from 'node:os';
import type { Logger } from '../../core/log.js';
import { EMPTY_RAW_POLICY, parsePolicy, type Policy, type RawPolicy } from '../../app/policy/policy-model.js';
import { readLinuxPolicy } from './linux-policy.js';
import { readMacPolicy } from './macos-policy.js';
import { readWindowsPolicy } from './windows-policy.js';
import {
  readBytesFromDisk,
  readTextFromDisk,
  runProgram,
  type ReadBytes,
  type ReadText,
  type RunCommand,
} from './policy-sources.js';

export interface PolicySources {
  readonly platform: NodeJS.Platform;
  readonly user: string;
  readonly readText: ReadText;
  readonly readBytes: ReadBytes;
  readonly run: RunCommand;
  /** Linux only: where the JSON file is (default /etc/kw-desktop/policy.json). */
  readonly linuxPath?: string;
}

export function systemPolicySources(platform: NodeJS.Platform, user: string): PolicySources {
  return { platform, user, readText: readTextFromDisk, readBytes: readBytesFromDisk, run: runProgram };
}

export async function readPolicy(sources: PolicySources, logger: Logger): Promise<Policy> {
  let raw: RawPolicy;
  try {
    raw = await readRaw(sources);
  } catch (error) {
    raw = {
      ...EMPTY_RAW_POLICY,
      problems: [`policy not read: ${error instanceof Error ? error.message : String(error)}`],
    };
  }
  const { policy, problems } = parsePolicy(raw);
  for (const problem of problems) logger.warn('policy', { problem });
  const defaults = Object.keys(policy.defaults);
  const enforced = Object.keys(policy.enforced);
  if (defaults.length + enforced.length > 0) logger.info('policy applied', { defaults, enforced });
  return policy;
}

function readRaw(sources: PolicySources): Promise<RawPolicy> {
  switch (sources.platform) {
    case 'win32':
      return readWindowsPolicy(sources.run);
    case 'darwin':
      return readMacPolicy(sources);
    default:
      return readLinuxPolicy(sources.readText, sources.linuxPath);
  }
}

/** The signed-in user's name (macOS per-user managed preferences); '' when the OS cannot say. */
export function currentUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}
