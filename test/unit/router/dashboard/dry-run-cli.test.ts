import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../../router/cli.js';

function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (s: string) => (out.stdout += s) },
      stderr: { write: (s: string) => (out.stderr += s) },
    },
  };
}

describe('npm run router -- --dry-run CONFIG SCENARIO', () => {
  it('prints the lab sample as a table and exits 0 (Linphone DND is Not Ready)', async () => {
    const { out, io: cli } = io();
    const code = await main(
      ['--dry-run', 'lab/router.example.json', 'lab/router/dry-run-scenario.json'],
      cli,
    );
    expect(out.stderr).toBe('');
    expect(code).toBe(0);
    expect(out.stdout).toContain('Routing point sip:billing-experts@lab.local, strategy longest-idle');
    expect(out.stdout).toMatch(/sip:kw2@lab\.local +closed, activity away, do not disturb +NotReady \(dnd\)/);
    expect(out.stdout).toContain('Offer order (the first gets the next offer):\n  1. sip:kw1@lab.local\n');
    expect(out.stdout).toContain('Skipped:\n  sip:kw2@lab.local  not ready (dnd)\n');
  });

  it('prints the problems of a bad scenario or config and exits 2', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-dry-run-'));
    const scenario = path.join(dir, 'scenario.json');
    writeFileSync(
      scenario,
      JSON.stringify({
        routingPoint: 'billing-experts',
        members: [{ kw: 'kw7', presence: { kind: 'none' } }],
      }),
    );
    let { out, io: cli } = io();
    expect(await main(['--dry-run', 'lab/router.example.json', scenario], cli)).toBe(2);
    expect(out.stderr).toBe(
      'router: the dry run cannot run:\n  - members.0: kw7 is not a member of sip:billing-experts@lab.local\n',
    );
    ({ out, io: cli } = io());
    expect(await main(['--dry-run', path.join(dir, 'missing.json'), scenario], cli)).toBe(2);
    expect(out.stderr).toMatch(/cannot read the file/);
    ({ out, io: cli } = io());
    expect(await main(['--dry-run', 'lab/router.example.json'], cli)).toBe(2);
    expect(out.stderr).toMatch(/^router: use --dry-run CONFIG SCENARIO\.json/);
  });
});
