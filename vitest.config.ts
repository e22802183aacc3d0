import { defineConfig } from 'vitest/config';

// One run for the whole workspace: unit tests beside the code, protocol tests in each app's test/,
// end-to-end tests in the root test/. Workspace packages resolve to their TypeScript source. Every file runs
// test/setup/code-bugs.ts first: a code bug logged during a test fails it, and every MAILYARD_*_PORT is 0.
const conditions = ['source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['node'] } },
  test: {
    include: ['{apps,packages}/*/{src,test}/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    setupFiles: ['test/setup/code-bugs.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
