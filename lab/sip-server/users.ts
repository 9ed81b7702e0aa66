/** The lab's users file: `{"users":[{"user":"kw1","password":"…","displayName":"…"}]}`. */
import { readFile } from 'node:fs/promises';
import * as v from 'valibot';

export interface LabUser {
  user: string;
  password: string;
  displayName?: string;
}

const UserSchema = v.object({
  user: v.pipe(
    v.string(),
    v.regex(/^[A-Za-z0-9._~!$&'()*+,;=-]+$/, 'must be a SIP user part (letters, digits, . _ - …)'),
  ),
  password: v.pipe(v.string(), v.minLength(1, 'must not be empty')),
  displayName: v.optional(v.string()),
});

const UsersFileSchema = v.object({
  users: v.pipe(
    v.array(UserSchema),
    v.check((list) => new Set(list.map((u) => u.user)).size === list.length, 'user names must be unique'),
  ),
});

/** Validates parsed JSON; throws an Error naming the file and the first problems. */
export function parseUsers(data: unknown, source = 'users file'): LabUser[] {
  const result = v.safeParse(UsersFileSchema, data);
  if (!result.success) {
    const problems = result.issues.slice(0, 5).map((issue) => {
      const path = v.getDotPath(issue);
      return path ? `${path}: ${issue.message}` : issue.message;
    });
    throw new Error(`Invalid ${source}: ${problems.join('; ')}`);
  }
  return result.output.users.map((u) =>
    u.displayName === undefined
      ? { user: u.user, password: u.password }
      : { user: u.user, password: u.password, displayName: u.displayName },
  );
}

export async function loadUsersFile(path: string): Promise<LabUser[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read users file ${path}: ${(err as Error).message}`, { cause: err });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`Users file ${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseUsers(data, `users file ${path}`);
}
