// Strict tsc for each process kind, with its own tsconfig (docs/design.md §2):
// the compiler enforces who may use Node, DOM or Electron. A process kind with
// no source yet is reported, not silently passed.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const projects = [
  'wire',
  'main/core',
  'main/app',
  'main/electron',
  'main/harness',
  'preload',
  'renderer',
  'router',
  'lab',
  'lab/agent-desk',
  'test',
];

function hasSource(dir) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (hasSource(path)) return true;
    } else if (/\.tsx?$/.test(entry) && !entry.endsWith('.d.ts')) return true;
  }
  return false;
}

let failed = false;
for (const project of projects) {
  if (!hasSource(project)) {
    console.log(`typecheck ${project}: no source yet`);
    continue;
  }
  const run = spawnSync('npx', ['tsc', '-p', `${project}/tsconfig.json`], { stdio: 'inherit' });
  console.log(`typecheck ${project}: ${run.status === 0 ? 'ok' : 'FAILED'}`);
  if (run.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
