/**
 * `npm run bench:soak`: the suite's load scenarios at full size (SOAK=1, test/support/soak.ts):
 * 300 concurrent single-record ingest requests, 60 of them redeliveries, on each database, and
 * about 1,000 sequential questionnaire page views and retries of one member (R-QST-6). The two
 * files run whole (the questionnaire's steps build on each other). Never part of `npm test`.
 */
import { defineConfig } from 'vitest/config';

process.env.SOAK = '1';

export default defineConfig({
  test: {
    include: ['test/integration/evidence-store.test.ts', 'test/integration/questionnaire.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
