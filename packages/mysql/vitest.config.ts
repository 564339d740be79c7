import { defineConfig } from 'vitest/config';

// Standalone config for this package (`npx vitest run packages/mysql/...` from here); the root config runs the same
// files in its unit and integration projects.
export default defineConfig({
  resolve: { conditions: ['development'] },
  ssr: { resolve: { conditions: ['development'] } },
  root: import.meta.dirname,
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.int.test.ts'],
    globalSetup: ['../testkit/src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
