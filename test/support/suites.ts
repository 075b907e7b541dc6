/**
 * @module Which test files run where, as data (issue 13: CI under half its time).
 *
 * - The full suite (`npm test`) runs every file once on Node 20; an integration file runs on one
 *   database (`PRIMARY_BACKEND`: Postgres when it answers, the system of record; PGlite otherwise),
 *   except the files of `MATRIX`, which run on every configured database.
 * - The smoke set (`npm run test:smoke`) is what the second Node version runs in CI: every unit
 *   test and the integration files of `SMOKE`, on every database; no browser tests (they run once).
 */

/** The store's own tests: SQL that must behave the same on Postgres and PGlite. */
export const STORE_TESTS = ['test/integration/derivation-store.test.ts', 'test/integration/evidence-store.test.ts'];

/**
 * End to end through HTTP, one file per flow where Node or the database could differ: webinar
 * ingest → derivation → outcomes, the registry and its import, the attendance workbook (exceljs,
 * zips), the questionnaire (member pages, mail outbox), SCORM commits, staff sign-in (a native
 * Argon2 binding), single sign-on (openid-client on the Node users deploy) and the content
 * server beside the gateway (a second listening server, R-ISO-1), cmi5's LRS on it, and SCORM
 * derivations claimed from Redis and derived in set-based batches (issue 16).
 */
export const SMOKE_INTEGRATION = [
  'test/integration/webinar-pipeline.test.ts',
  'test/integration/registry.test.ts',
  'test/integration/attendance-export.test.ts',
  'test/integration/questionnaire.test.ts',
  'test/integration/scorm-commit.test.ts',
  'test/integration/staff-signin.test.ts',
  'test/integration/staff-oidc.test.ts',
  'test/integration/content-isolation.test.ts',
  'test/integration/cmi5.test.ts',
  'test/integration/scorm-pending.test.ts',
];

/** Files that run on every configured database. */
export const MATRIX = [...STORE_TESTS, ...SMOKE_INTEGRATION];

/** The smoke set's globs (vitest `include`). */
export const SMOKE = ['test/unit/**/*.test.ts', ...MATRIX];
