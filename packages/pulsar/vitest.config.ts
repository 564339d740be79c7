import { defineConfig } from 'vitest/config';

// Standalone config for this package (`npx vitest run` from here); the root config runs the same files in its
// unit and integration projects (it needs test/global-setup.ts there too, to start the broker).
export default defineConfig({
  resolve: { conditions: ['development'] },
  ssr: { resolve: { conditions: ['development'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.int.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
});
