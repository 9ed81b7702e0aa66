import { defineConfig } from 'vitest/config';

// One project per suite; `npm run test:<suite>` selects one. Vitest's default is
// one worker fewer than the cores: on a 2-core CI machine that is one, so each
// suite asks for two. Network tests spend most of their time waiting (a
// graceful SIP stop alone waits 2 s for JsSIP), so two files at a time fit on 2 cores.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          maxWorkers: 2,
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'interop',
          include: ['test/interop/**/*.test.ts'],
          environment: 'node',
          maxWorkers: 2,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
