/** @module Checker of `reduction.json` (R-RED): one case per entry of `cases` and `cumulative`, strict shapes, only the `expect` fields present asserted. */
import { expect } from 'vitest';
import { z } from 'zod';
import { PROFILES, PROFILE_NAMES } from '../../src/domain/policy.ts';
import {
  CAUSE_INPUT_KIND,
  REDUCTION_CAUSES,
  REDUCTION_REJECTIONS,
  REDUCTION_VALIDITIES,
  computeReduction,
  cumulativeReduction,
  type ReductionAmount,
  type ReductionCause,
  type ReductionInputKind,
  type ReductionInputOf,
  type ReductionResult,
} from '../../src/domain/reduction.ts';
import { assertKnownExpectFields, Biennium, caseMetaWithId, IsoDate, labelWithNote, pick, sections, type Checker } from './vectors-lib.ts';

/** An empty `expect` fails too: the case would check nothing. */
const NON_EMPTY = { requireSome: true } as const;

/** The full biennium obligation the cumulative cases start from (R-OBL-1). */
const FULL_OBLIGATION = { total: 50, deontology: 6 } as const;

// ---------- schemas (strict: an unknown field fails) ----------

/** The input of each kind of cause (R-RED-2), strict. */
const INPUT_SCHEMAS: Record<ReductionInputKind, z.ZodType> = {
  period: z.strictObject({ from: IsoDate, to: IsoDate }),
  degree: z.strictObject({
    from: IsoDate,
    to: IsoDate.nullable().optional(),
    degreePct: z.number().int(),
    subjectToReview: z.boolean(),
    certificateExpiry: IsoDate.nullable().optional(),
  }),
  birth: z.strictObject({ birthDate: IsoDate }),
  arrival: z.strictObject({ arrivalDate: IsoDate }),
  age: z.strictObject({ birthDate: IsoDate }),
};

const Cause = z.enum(REDUCTION_CAUSES);

/** A cause with its input checked against the cause's own schema. */
interface CauseInput {
  cause: ReductionCause;
  input: ReductionInputOf<ReductionCause>;
}

function parseInput(cause: ReductionCause, input: unknown, where: string): CauseInput {
  const parsed = INPUT_SCHEMAS[CAUSE_INPUT_KIND[cause]].safeParse(input);
  if (!parsed.success) throw new Error(`${where}: input of "${cause}": ${parsed.error.message}`);
  return { cause, input: parsed.data as ReductionInputOf<ReductionCause> };
}

const ReductionCase = z.strictObject({
  ...caseMetaWithId,
  profile: z.enum(PROFILE_NAMES),
  biennium: Biennium,
  cause: Cause,
  input: z.unknown(),
  expect: z.record(z.string(), z.unknown()),
});

const CASE_EXPECT = ['reduction', 'deontology', 'ordinary', 'validity', 'validUntil', 'months', 'rejected'] as const;

const CaseExpect = z.strictObject({
  reduction: z.number().int().optional(),
  deontology: z.number().int().optional(),
  ordinary: z.number().int().optional(),
  validity: z.enum(REDUCTION_VALIDITIES).optional(),
  validUntil: IsoDate.nullable().optional(),
  months: z.number().int().optional(),
  rejected: z.enum(REDUCTION_REJECTIONS).optional(),
});

const InlineCase = z.strictObject({ cause: Cause, input: z.unknown() });

const CumulativeCase = z.strictObject({
  ...caseMetaWithId,
  profile: z.enum(PROFILE_NAMES),
  biennium: Biennium,
  cases: z.array(z.union([z.string(), InlineCase])).min(1),
  expect: z.record(z.string(), z.unknown()),
});

const CUMULATIVE_EXPECT = ['reduction', 'deontology', 'ordinary', 'capped', 'obligation'] as const;
const OBLIGATION_EXPECT = ['total', 'deontology'] as const;

const CumulativeExpect = z.strictObject({
  reduction: z.number().int().optional(),
  deontology: z.number().int().optional(),
  ordinary: z.number().int().optional(),
  capped: z.boolean().optional(),
  obligation: z.record(z.string(), z.unknown()).optional(),
});

const ObligationExpect = z.strictObject({ total: z.number().int().optional(), deontology: z.number().int().optional() });

// ---------- checks ----------

/** The result restricted to the fields `expect` names; a rejection has no amounts and an acceptance no `rejected`. */
function projectResult(result: ReductionResult, exp: object): Record<string, unknown> {
  return pick(result, exp);
}

function checkCase(entry: unknown): void {
  const c = ReductionCase.parse(entry);
  assertKnownExpectFields(c.expect, CASE_EXPECT, c.id, NON_EMPTY);
  const exp = CaseExpect.parse(c.expect);
  const { cause, input } = parseInput(c.cause, c.input, c.id);
  const result = computeReduction(cause, input, { biennium: c.biennium, policy: PROFILES[c.profile] });
  const context = result.ok ? result.explanation : `rejected ${result.rejected}: ${result.message}`;
  expect(projectResult(result, exp), `${c.id}: ${context}`).toEqual(exp);
}

/** `cases` of the file by id, raw (their own check validates them). */
function caseIndex(file: Record<string, unknown>): Map<string, unknown[]> {
  const index = new Map<string, unknown[]>();
  const raw = file.cases;
  if (!Array.isArray(raw)) return index;
  for (const entry of raw) {
    if (entry !== null && typeof entry === 'object' && typeof (entry as Record<string, unknown>).id === 'string') {
      const id = (entry as Record<string, unknown>).id as string;
      index.set(id, [...(index.get(id) ?? []), entry]);
    }
  }
  return index;
}

function checkCumulative(entry: unknown, index: Map<string, unknown[]>): void {
  const c = CumulativeCase.parse(entry);
  assertKnownExpectFields(c.expect, CUMULATIVE_EXPECT, c.id, NON_EMPTY);
  const exp = CumulativeExpect.parse(c.expect);
  if (exp.obligation !== undefined) {
    assertKnownExpectFields(exp.obligation, OBLIGATION_EXPECT, `${c.id} obligation`, NON_EMPTY);
    ObligationExpect.parse(exp.obligation);
  }
  // An id stands for that case's {cause, input}; every case is computed in the cumulative
  // entry's own profile and biennium (vectors README).
  const amounts: ReductionAmount[] = c.cases.map((ref, i) => {
    let cause: ReductionCause;
    let rawInput: unknown;
    let where: string;
    if (typeof ref === 'string') {
      const found = index.get(ref) ?? [];
      if (found.length !== 1) throw new Error(`${c.id}: cases[${i}] "${ref}" ${found.length === 0 ? 'names no case of the file' : 'names several cases'}`);
      const target = z.looseObject({ cause: Cause, input: z.unknown() }).parse(found[0]);
      cause = target.cause;
      rawInput = target.input;
      where = `${c.id} → ${ref}`;
    } else {
      cause = ref.cause;
      rawInput = ref.input;
      where = `${c.id} cases[${i}]`;
    }
    const { input } = parseInput(cause, rawInput, where);
    const result = computeReduction(cause, input, { biennium: c.biennium, policy: PROFILES[c.profile] });
    if (!result.ok) throw new Error(`${where}: the case is rejected (${result.rejected}: ${result.message}), nothing to add up`);
    return result;
  });
  const sum = cumulativeReduction(amounts, { policy: PROFILES[c.profile], obligation: FULL_OBLIGATION });
  const projected = pick(sum, exp);
  if (exp.obligation !== undefined) projected.obligation = pick(sum.obligation, exp.obligation);
  expect(projected, `${c.id}: ${JSON.stringify(sum)}`).toEqual(exp);
}

/**
 * The cases of a parsed `reduction.json` (R-RED): `cases` through `computeReduction`, `cumulative`
 * through `cumulativeReduction` from the full obligation 50/6. Anything it cannot place becomes a
 * failing case, never a skip.
 */
export const checkReductionFile: Checker = (file) => {
  const index = caseIndex(file);
  return sections(file, {
    cases: (entries, section) => entries.map((entry) => ({ name: `${section} ${labelWithNote(entry, ['cause'])}`, check: () => checkCase(entry) })),
    cumulative: (entries, section) =>
      entries.map((entry) => ({ name: `${section} ${labelWithNote(entry, ['cases'])}`, check: () => checkCumulative(entry, index) })),
  });
};
