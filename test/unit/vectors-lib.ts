/** @module Shared helpers of the rule-vector runner (`vectors.test.ts`) and its per-file checkers (`vectors-*.ts`). */
import { z } from 'zod';

/** One `it` per case, so that a failure names the case. */
export interface VectorCase {
  name: string;
  check: () => void;
}

/** Turns a parsed file into its cases. Anything it cannot place becomes a failing case, never a skip. */
export type Checker = (file: Record<string, unknown>) => VectorCase[];

/** File-level keys that are prose for people (vectors README). */
export const FILE_PROSE: ReadonlySet<string> = new Set(['_about']);

// ---------- field shapes (vectors README: field conventions) ----------

/** An ISO 8601 instant with an offset, as epoch milliseconds. */
export const Instant = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));

/** An ISO `YYYY-MM-DD` date. */
export const IsoDate = z.iso.date();

/** A biennium, named by its first (odd) year. */
export const Biennium = z
  .number()
  .int()
  .refine((y) => Math.abs(y % 2) === 1, 'a biennium is named by its first (odd) year');

/** The fields every case may carry besides its input and `expect`. */
export const caseMeta = { id: z.string().optional(), rule: z.string().optional(), note: z.string().optional() };

/** `caseMeta` for files whose every case has an `id`. */
export const caseMetaWithId = { ...caseMeta, id: z.string() };

// ---------- cases ----------

export function failing(name: string, message: string): VectorCase {
  return {
    name,
    check: () => {
      throw new Error(message);
    },
  };
}

/**
 * Fails on `expect` fields the runner does not know how to check (vectors README: check every
 * field present); with `requireSome`, also on an `expect` naming no field (a case that checks nothing).
 */
export function assertKnownExpectFields(
  expectObj: Record<string, unknown>,
  known: readonly string[],
  where: string,
  options: { requireSome?: boolean } = {},
): void {
  const unknown = Object.keys(expectObj).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new Error(`${where}: expect field(s) the runner does not know: ${unknown.join(', ')}`);
  }
  if (options.requireSome && Object.keys(expectObj).length === 0) {
    throw new Error(`${where}: expect names no field, the case would check nothing`);
  }
}

/** The fields of `actual` named by `expected`, so that only present `expect` fields are asserted. */
export function pick(actual: object, expected: object): Record<string, unknown> {
  const src = actual as Record<string, unknown>;
  return Object.fromEntries(Object.keys(expected).map((k) => [k, src[k]]));
}

/** A short, safe label for a case whose shape is not yet validated: its `id`, else the named keys, else its JSON. */
export function label(entry: unknown, keys: readonly string[] = []): string {
  if (entry === null || typeof entry !== 'object') return JSON.stringify(entry) ?? String(entry);
  const rec = entry as Record<string, unknown>;
  if (typeof rec.id === 'string') return rec.id;
  const parts = keys.filter((k) => k in rec).map((k) => `${k}=${JSON.stringify(rec[k])}`);
  return parts.length > 0 ? parts.join(' ') : JSON.stringify(entry);
}

/** `label` followed by the case's `note`, when it has a non-empty one. */
export function labelWithNote(entry: unknown, keys: readonly string[] = []): string {
  const rec = entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>) : {};
  const note = typeof rec.note === 'string' && rec.note !== '' ? ` (${rec.note})` : '';
  return `${label(entry, keys)}${note}`;
}

/** Splits a file into its sections, failing on keys that are neither a known section nor prose, and on empty sections. */
export function sections(file: Record<string, unknown>, known: Record<string, (entries: unknown[], section: string) => VectorCase[]>): VectorCase[] {
  const out: VectorCase[] = [];
  for (const [key, value] of Object.entries(file)) {
    if (FILE_PROSE.has(key)) continue;
    const build = Object.hasOwn(known, key) ? known[key] : undefined;
    if (!build) {
      out.push(failing(`unknown section "${key}"`, `section "${key}" has no checker (known: ${Object.keys(known).join(', ')})`));
    } else if (!Array.isArray(value)) {
      out.push(failing(`section "${key}"`, `section "${key}" must be an array of cases`));
    } else if (value.length === 0) {
      out.push(failing(`section "${key}"`, `section "${key}" holds no case`));
    } else {
      out.push(...build(value, key));
    }
  }
  if (out.length === 0) out.push(failing('cases', 'the file holds no case'));
  return out;
}
