/** @module Which databases an integration file runs on: the matrix of `suites.ts`, as data. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MATRIX } from './suites.ts';

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? '';

export type Backend = 'pglite' | 'postgres';

/** Every configured database; `test/support/global-setup.ts` fills TEST_DATABASE_URL when Postgres answers. */
export const ALL_BACKENDS: Backend[] = POSTGRES_URL ? ['pglite', 'postgres'] : ['pglite'];

/** One database for the files outside the matrix: Postgres when it answers (the system of record). */
export const PRIMARY_BACKEND: Backend = ALL_BACKENDS[ALL_BACKENDS.length - 1]!;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The databases the calling test file runs on: all of them for the store tests and the smoke set
 * (`MATRIX`), the primary one otherwise.
 *
 * @example
 * for (const backend of backendsOf(import.meta.url)) describe(`… on ${backend}`, () => { … });
 */
export function backendsOf(testFileUrl: string): Backend[] {
  const file = path.relative(ROOT, fileURLToPath(testFileUrl)).split(path.sep).join('/');
  return MATRIX.includes(file) ? ALL_BACKENDS : [PRIMARY_BACKEND];
}

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
