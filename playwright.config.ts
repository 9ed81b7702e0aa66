/**
 * e2e: the real renderer in Debian's Chromium through the browser harness,
 * against the real app layer, lab SIP server and router. Playwright never
 * downloads a browser here (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1).
 */
import { defineConfig } from '@playwright/test';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** KW_E2E_WORKERS as a worker count (1 or more); absent: 1. */
function e2eWorkers(value: string | undefined): number {
  if (value === undefined || value === '') return 1;
  const workers = Number(value);
  if (!Number.isInteger(workers) || workers < 1)
    throw new RangeError(`KW_E2E_WORKERS must be a whole number of workers, 1 or more; got "${value}"`);
  return workers;
}

const WORKERS = e2eWorkers(process.env['KW_E2E_WORKERS']);

/**
 * With more than one worker: npm-start.e2e.ts runs `npm start`, which rebuilds dist/renderer,
 * dist/lab-web and build/jssip.cjs under the pages and imports of the other files, so it runs
 * alone, after them ("teardown" runs it once every other e2e file has finished, whether they
 * passed or not). Not with one worker: a teardown project also runs when only one file is asked for.
 */
const PROJECTS_FOR_WORKERS = [
  { name: 'e2e', testIgnore: /npm-start\.e2e\.ts$/, teardown: 'npm-start' },
  { name: 'npm-start', testMatch: /npm-start\.e2e\.ts$/ },
];

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: /.*\.e2e\.ts$/,
  outputDir: 'test-results/e2e',
  // The tests of a file run in order, in one worker; each test starts its own servers on ephemeral
  // ports and its own history folder, so files can run side by side. One worker unless
  // KW_E2E_WORKERS says otherwise: .ci/run asks for two on its own machine; on a shared, loaded
  // 2-core machine two let 8 s previews and the dashboard's 1 s run out mid-test.
  fullyParallel: false,
  workers: WORKERS,
  projects: WORKERS > 1 ? PROJECTS_FOR_WORKERS : [{ name: 'e2e' }],
  globalSetup: './test/support/e2e-global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1100, height: 720 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
});
