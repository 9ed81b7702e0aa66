// `npm test`: every suite CI runs (unit, integration, interop, e2e, electron),
// one after the other, then one closing line
// `N passed, N failed, N skipped` summed over all suites. Exit code 1 if any
// suite failed or could not run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const suites = [
  { name: 'unit', cmd: ['npx', 'vitest', 'run', '--project', 'unit'] },
  { name: 'integration', cmd: ['npx', 'vitest', 'run', '--project', 'integration'] },
  { name: 'interop', cmd: ['npx', 'vitest', 'run', '--project', 'interop'] },
];

mkdirSync('test-results', { recursive: true });
rmSync('test-results/figures.jsonl', { force: true });
const build = spawnSync('node', ['scripts/build-jssip.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(1);

let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
for (const suite of suites) {
  const out = `test-results/${suite.name}.json`;
  rmSync(out, { force: true });
  console.log(`\n=== ${suite.name} ===`);
  const run = spawnSync(
    suite.cmd[0],
    [...suite.cmd.slice(1), '--reporter=default', '--reporter=json', `--outputFile=${out}`],
    {
      stdio: 'inherit',
    },
  );
  if (!existsSync(out)) {
    console.log(`${suite.name}: no report (exit ${run.status}); counted as one failure`);
    failed += 1;
    rows.push([suite.name, 0, 1, 0]);
    continue;
  }
  const report = JSON.parse(readFileSync(out, 'utf8'));
  const p = report.numPassedTests ?? 0;
  // A file that fails to load has no tests but fails the suite: count it.
  const f = (report.numFailedTests ?? 0) + (run.status !== 0 && (report.numFailedTests ?? 0) === 0 ? 1 : 0);
  const s = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  passed += p;
  failed += f;
  skipped += s;
  rows.push([suite.name, p, f, s]);
}

/** Runs a Playwright suite and adds its counts from the JSON report. */
function playwrightSuite(name, args, report) {
  console.log(`\n=== ${name} ===`);
  rmSync(report, { force: true });
  const run = spawnSync('npm', args, { stdio: 'inherit' });
  if (!existsSync(report)) {
    console.log(`${name}: no report (exit ${run.status}); counted as one failure`);
    failed += 1;
    rows.push([name, 0, 1, 0]);
    return;
  }
  const stats = JSON.parse(readFileSync(report, 'utf8')).stats ?? {};
  const p = (stats.expected ?? 0) + (stats.flaky ?? 0);
  const f = (stats.unexpected ?? 0) + (run.status !== 0 && (stats.unexpected ?? 0) === 0 ? 1 : 0);
  const s = stats.skipped ?? 0;
  passed += p;
  failed += f;
  skipped += s;
  rows.push([name, p, f, s]);
}

// e2e: the real renderer in Debian's Chromium through the browser harness.
playwrightSuite('e2e', ['run', '-s', 'test:e2e'], 'test-results/e2e.json');
// electron: the built app in a real Electron; the only suite that may skip (no binary here).
playwrightSuite('electron', ['run', '-s', 'test:electron'], 'test-results/electron.json');

console.log('\nsuite        passed  failed  skipped');
for (const [name, p, f, s] of rows)
  console.log(
    `${name.padEnd(12)} ${String(p).padStart(6)}  ${String(f).padStart(6)}  ${String(s).padStart(7)}`,
  );
if (existsSync('test-results/figures.jsonl')) {
  console.log('\nmeasured figures:');
  console.log(readFileSync('test-results/figures.jsonl', 'utf8').trim());
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
