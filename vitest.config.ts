import { defineConfig } from 'vitest/config';
import { SMOKE } from './test/support/suites.ts';

// `TEST_SET=smoke` (npm run test:smoke) runs the smoke set: what CI runs on the second Node version.
const smoke = process.env.TEST_SET === 'smoke';

export default defineConfig({
  test: {
    include: smoke ? SMOKE : ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more forks only add PGlite instances (hundreds of MB each) and contention.
    maxWorkers: 2,
    // Modules live as long as the worker, so each worker opens one PGlite and empties it for each
    // test (test/support/databases.ts) instead of opening one per file. Test files keep no state
    // at module level that another file could see (each harness has its own schema and prefix).
    isolate: false,
  },
});
