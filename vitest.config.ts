import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['development'] },
  ssr: { resolve: { conditions: ['development'] } },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['{apps,packages}/*/src/**/*.test.ts', 'bench/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['{apps,packages}/*/test/**/*.int.test.ts', 'test/**/*.int.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
          globalSetup: ['packages/testkit/src/global-setup.ts'],
        },
      },
    ],
  },
});
