/**
 * The electron suite (`npm run test:electron`): the built app
 * (dist/main/index.cjs) in a real Electron through Playwright's `_electron`.
 * Where no Electron binary is installed it prints one line and skips.
 */
import { defineConfig } from '@playwright/test';
import { electronBinary, SKIP_LINE } from './skip.js';

// Workers load this file too: print the skip line once, from the runner.
if (!electronBinary() && !process.env.KW_ELECTRON_SKIP_SAID) {
  process.env.KW_ELECTRON_SKIP_SAID = '1';
  console.log(SKIP_LINE);
}

export default defineConfig({
  testDir: '.',
  testMatch: /.*\.electron\.test\.ts$/,
  outputDir: '../../test-results/electron',
  fullyParallel: false,
  workers: 1,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['json', { outputFile: '../../test-results/electron.json' }]],
});
