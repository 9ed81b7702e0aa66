// Strict tsc for each process kind, with its own tsconfig (docs/design.md §2):
// the compiler enforces who may use Node, DOM or Electron. A process kind with
// no source yet is reported, not silently passed.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
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
  'dashboard',
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

const CACHE = 'node_modules/.cache/typecheck';

/** One tsc per project, as many at once as there are cores (one after another took ~55 s). */
function check(project) {
  return new Promise((resolve) => {
    const tsc = spawn(
      process.execPath,
      [
        'node_modules/typescript/bin/tsc',
        '-p',
        `${project}/tsconfig.json`,
        // A second run re-checks only what changed (a fresh clone pays the full ~55 s once).
        '--incremental',
        '--tsBuildInfoFile',
        join(CACHE, `${project.replaceAll('/', '-')}.tsbuildinfo`),
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    tsc.stdout.on('data', (d) => (output += d));
    tsc.stderr.on('data', (d) => (output += d));
    tsc.on('close', (code) => resolve({ project, ok: code === 0, output }));
  });
}

// The largest project first, so the others run beside it.
const queue = ['test', ...projects.filter((p) => p !== 'test')].filter((project) => {
  if (hasSource(project)) return true;
  console.log(`typecheck ${project}: no source yet`);
  return false;
});
let failed = false;
async function worker() {
  for (let project = queue.shift(); project !== undefined; project = queue.shift()) {
    const result = await check(project);
    if (result.output) process.stdout.write(result.output);
    console.log(`typecheck ${project}: ${result.ok ? 'ok' : 'FAILED'}`);
    if (!result.ok) failed = true;
  }
}
await Promise.all(Array.from({ length: Math.max(1, availableParallelism()) }, worker));
process.exit(failed ? 1 : 0);
