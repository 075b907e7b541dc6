/** @module Rule-vector runner: every `*.json` of the vectors folder, every case, through the checker named by the file. */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { assessAttendance, type AttendanceOutcome, type SpanOutcome } from '../../src/domain/attendance.ts';
import { deadlineAfter, monthsOfPeriod, romeLocalToUtc, yearOf } from '../../src/domain/calendar.ts';
import { validateCodiceFiscale } from '../../src/domain/codice-fiscale.ts';
import { parseRational, roundRational } from '../../src/domain/rational.ts';
import { checkBalanceFile } from './vectors-balance.ts';
import {
  assertKnownExpectFields,
  caseMeta,
  caseMetaWithId,
  failing,
  Instant,
  IsoDate,
  label,
  labelWithNote,
  pick,
  sections,
  type Checker,
  type VectorCase,
} from './vectors-lib.ts';
import { checkReductionFile } from './vectors-reduction.ts';

// The folder comes from SPEC_VECTORS when set (other vector sets, same format), else the copy kept
// in this repository; a relative path is taken from the repository root, not the working directory.
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VECTORS_DIR = resolve(REPO_ROOT, process.env.SPEC_VECTORS || 'test/vectors');

// ---------- calendar.json (R-CAL) ----------

/** A section of calendar.json: the entry's schema (strict: an unknown field fails), its label keys, and the check. */
interface CalendarSection<S extends z.ZodType> {
  schema: S;
  labelKeys: readonly string[];
  check: (entry: z.output<S>) => void;
}

function calendarSection<S extends z.ZodType>(s: CalendarSection<S>) {
  return (entries: unknown[], section: string): VectorCase[] =>
    entries.map((entry) => ({
      name: `${section} ${label(entry, s.labelKeys)}`,
      check: () => s.check(s.schema.parse(entry)),
    }));
}

const CALENDAR_SECTIONS = {
  // R-CAL-4
  round: calendarSection({
    schema: z.strictObject({ ...caseMeta, value: z.string(), expect: z.number().int() }),
    labelKeys: ['value'],
    check: (c) => {
      const r = parseRational(c.value);
      expect(roundRational(r.num, r.den)).toBe(c.expect);
    },
  }),
  // R-CAL-5
  months: calendarSection({
    schema: z.strictObject({ ...caseMeta, from: IsoDate, to: IsoDate, expect: z.number().int() }),
    labelKeys: ['from', 'to'],
    check: (c) => {
      expect(monthsOfPeriod(c.from, c.to)).toBe(c.expect);
    },
  }),
  // R-CAL-3
  deadline: calendarSection({
    schema: z.strictObject({ ...caseMeta, sentAt: Instant, days: z.number().int().min(0), expect: Instant }),
    labelKeys: ['sentAt', 'days'],
    check: (c) => {
      expect(deadlineAfter(c.sentAt, c.days).toISOString()).toBe(new Date(c.expect).toISOString());
    },
  }),
  // R-CAL-2
  yearOf: calendarSection({
    schema: z.strictObject({ ...caseMeta, at: Instant, expect: z.number().int() }),
    labelKeys: ['at'],
    check: (c) => {
      expect(yearOf(c.at)).toBe(c.expect);
    },
  }),
  // R-CAL-2
  localToUtc: calendarSection({
    schema: z.strictObject({ ...caseMeta, local: z.string(), expect: Instant }),
    labelKeys: ['local'],
    check: (c) => {
      expect(new Date(romeLocalToUtc(c.local)).toISOString()).toBe(new Date(c.expect).toISOString());
    },
  }),
};

const checkCalendar: Checker = (file) => sections(file, CALENDAR_SECTIONS);

// ---------- codice-fiscale.json (R-TPL-3) ----------

const checkCodiceFiscale: Checker = (file) =>
  sections(file, {
    valid: (entries, section) =>
      entries.map((entry) => ({
        name: `${section} ${label(entry, [])}`,
        check: () => {
          const value = z.string().parse(entry);
          expect(validateCodiceFiscale(value)).toEqual({ ok: true, value: value.toUpperCase() });
        },
      })),
    invalid: (entries, section) =>
      entries.map((entry) => ({
        name: `${section} ${label(entry, ['value', 'reason'])}`,
        check: () => {
          const c = z.strictObject({ ...caseMeta, value: z.string(), reason: z.string() }).parse(entry);
          expect(validateCodiceFiscale(c.value).ok, `${JSON.stringify(c.value)} (${c.reason})`).toBe(false);
        },
      })),
  });

// ---------- attendance.json (R-ATT) ----------

const Span = z.strictObject({ start: Instant, end: Instant, credits: z.number().int().min(0) });

const AttendanceCase = z.strictObject({
  ...caseMetaWithId,
  event: z.strictObject({
    start: Instant,
    end: Instant,
    credits: z.number().int().min(0),
    toleranceMinutes: z.number().int().min(0),
    fractions: z.array(Span).nullable(),
  }),
  intervals: z.array(z.strictObject({ join: Instant, leave: Instant.nullable() })),
  meetingEnd: Instant.nullable(),
  expect: z.record(z.string(), z.unknown()),
});

const ATTENDANCE_EXPECT = ['status', 'coveredMinutes', 'absentMinutes', 'qualifies', 'credits', 'toleranceMinutes', 'fractions'] as const;
const FRACTION_EXPECT = ['toleranceMinutes', 'absentMinutes', 'coveredMinutes', 'qualifies', 'credits'] as const;

const ALL_FRACTION_FIELDS = Object.fromEntries(FRACTION_EXPECT.map((k) => [k, true]));

const FractionExpect = z.strictObject({
  toleranceMinutes: z.number().int().optional(),
  absentMinutes: z.number().int().optional(),
  coveredMinutes: z.number().int().optional(),
  qualifies: z.boolean().optional(),
  credits: z.number().int().optional(),
});

const AttendanceExpect = z.strictObject({
  status: z.enum(['complete', 'incomplete']).optional(),
  coveredMinutes: z.number().int().optional(),
  absentMinutes: z.number().int().optional(),
  qualifies: z.boolean().optional(),
  credits: z.number().int().optional(),
  toleranceMinutes: z.number().int().optional(),
  // Element-wise, in order: fractions are the event's own, in its order (R-ATT-5).
  fractions: z.array(z.record(z.string(), z.unknown())).optional(),
});

/** The outcome restricted to the fields `expect` names; `fractions` element by element. */
function projectAttendance(outcome: AttendanceOutcome, exp: z.output<typeof AttendanceExpect>): Record<string, unknown> {
  const projected = pick(outcome, exp);
  if (exp.fractions !== undefined) {
    const expFractions = exp.fractions;
    projected.fractions =
      outcome.fractions === null
        ? null
        : // An extra actual fraction is shown in full; the length difference fails the comparison.
          outcome.fractions.map((f: SpanOutcome, i) => pick(f, expFractions[i] ?? ALL_FRACTION_FIELDS));
  }
  return projected;
}

const checkAttendance: Checker = (file) =>
  sections(file, {
    cases: (entries) =>
      entries.map((entry) => ({
        name: labelWithNote(entry, ['event']),
        check: () => {
          const c = AttendanceCase.parse(entry);
          assertKnownExpectFields(c.expect, ATTENDANCE_EXPECT, c.id);
          const exp = AttendanceExpect.parse(c.expect);
          exp.fractions?.forEach((f, i) => {
            assertKnownExpectFields(f, FRACTION_EXPECT, `${c.id} fractions[${i}]`);
            FractionExpect.parse(f);
          });
          const outcome = assessAttendance({ event: c.event, intervals: c.intervals, meetingEnd: c.meetingEnd });
          expect(projectAttendance(outcome, exp), c.id).toEqual(exp);
        },
      })),
  });

// ---------- dispatch ----------

/** Checker per file-name stem; a file without one fails the run (vectors README). */
const CHECKERS: Readonly<Record<string, Checker>> = {
  calendar: checkCalendar,
  attendance: checkAttendance,
  'codice-fiscale': checkCodiceFiscale,
  balance: checkBalanceFile,
  reduction: checkReductionFile,
};

interface LoadedFile {
  file: string;
  cases: VectorCase[];
}

function loadFile(dir: string, file: string): VectorCase[] {
  const stem = file.slice(0, -'.json'.length);
  const checker = Object.hasOwn(CHECKERS, stem) ? CHECKERS[stem] : undefined;
  if (!checker) return [failing('has a checker', `no checker for "${file}" (known: ${Object.keys(CHECKERS).join(', ')})`)];
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(resolve(dir, file), 'utf8'));
  } catch (err) {
    return [failing('is readable JSON', `cannot read ${file}: ${(err as Error).message}`)];
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return [failing('is a JSON object', `${file} must hold a JSON object of sections`)];
  }
  try {
    return checker(data as Record<string, unknown>);
  } catch (err) {
    return [failing('has a known shape', `${file}: ${(err as Error).message}`)];
  }
}

function loadFolder(dir: string): LoadedFile[] | Error {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.name.endsWith('.json') && !d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch (err) {
    return err as Error;
  }
  return names.map((file) => ({ file, cases: loadFile(dir, file) }));
}

const loaded = loadFolder(VECTORS_DIR);

describe(`rule vectors (${VECTORS_DIR})`, () => {
  if (loaded instanceof Error) {
    it('folder is readable', () => {
      throw new Error(`cannot read the vectors folder ${VECTORS_DIR}: ${loaded.message}`);
    });
    return;
  }
  if (loaded.length === 0) {
    it('folder holds vectors', () => {
      throw new Error(`no *.json file in ${VECTORS_DIR}`);
    });
    return;
  }
  for (const { file, cases } of loaded) {
    describe(file, () => {
      for (const c of cases) it(c.name, c.check);
    });
  }
});
