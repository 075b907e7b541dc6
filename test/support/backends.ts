/** @module Which databases the integration suite runs on: PGlite always, Postgres when configured. */
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? '';

export type Backend = 'pglite' | 'postgres';

/** The integration suite runs on both (issue 2); `test/support/global-setup.ts` fills TEST_DATABASE_URL. */
export const BACKENDS: Backend[] = POSTGRES_URL ? ['pglite', 'postgres'] : ['pglite'];

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
