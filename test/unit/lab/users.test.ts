import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadUsersFile } from '../../../lab/sip-server/index.js';

async function file(content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lab-users-'));
  const path = join(dir, 'users.json');
  await writeFile(path, content);
  return path;
}

describe('loadUsersFile', () => {
  it('loads the example file', async () => {
    const users = await loadUsersFile('lab/users.example.json');
    expect(users.map((u) => u.user)).toEqual([
      'kw1',
      'kw2',
      'kw3',
      'agent1',
      'customer',
      'billing-experts',
      'claims-experts',
    ]);
    expect(users[0]).toEqual({ user: 'kw1', password: 'kw1-secret', displayName: 'Knowledge Worker 1' });
  });
  it('says what is wrong with a bad file', async () => {
    await expect(loadUsersFile(await file('{"users":[{"user":"kw1"}]}'))).rejects.toThrow(
      /users\.0\.password/,
    );
    await expect(
      loadUsersFile(await file('{"users":[{"user":"a","password":"x"},{"user":"a","password":"y"}]}')),
    ).rejects.toThrow(/unique/);
    await expect(loadUsersFile(await file('{nope'))).rejects.toThrow(/not valid JSON/);
    await expect(loadUsersFile('/nonexistent/users.json')).rejects.toThrow(/Cannot read users file/);
  });
});
