/** @module Checker of `balance.json` (R-OBL, R-FAD, R-ART9, R-DEBT) for the rule-vector runner: `cases` and `debt` sections. */
import { expect } from 'vitest';
import { z } from 'zod';
import { ART9_ACTIVITIES } from '../../src/domain/art9.ts';
import { deriveBalance, type Balance, type CreditItem } from '../../src/domain/balance.ts';
import { checkDebtRequest, debtMaximum } from '../../src/domain/debt.ts';
import { OBLIGATION } from '../../src/domain/obligation.ts';
import { assertKnownExpectFields, Biennium, caseMetaWithId, IsoDate, labelWithNote, pick, sections, type Checker } from './vectors-lib.ts';

// ---------- helpers ----------

/** Lists compare as sets (vectors README): sorted by their JSON text on both sides. */
function asSet<T>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));
}

// ---------- shapes ----------

const Whole = z.number().int().min(0);
const Amounts = z.strictObject({ total: Whole, deontology: Whole });

/** A recorded credit: an event's credits, or an art. 9 activity with its quantity. `deontology: true` = all of it. */
const Credit = z.union([
  z.strictObject({
    id: z.string(),
    date: IsoDate,
    mode: z.enum(['in-person', 'videoconference', 'webinar', 'e-learning', 'podcast', 'mixed']),
    credits: Whole,
    deontology: z.boolean().optional(),
  }),
  z.strictObject({
    id: z.string(),
    date: IsoDate,
    mode: z.literal('art9'),
    activity: z.enum(ART9_ACTIVITIES),
    quantity: Whole,
    deontology: z.boolean().optional(),
  }),
]);
type Credit = z.output<typeof Credit>;

function toItem(c: Credit): CreditItem {
  if (c.mode === 'art9')
    return { id: c.id, date: c.date, mode: 'art9', art9: { activity: c.activity, quantity: c.quantity, deontology: c.deontology ?? false } };
  return { id: c.id, date: c.date, mode: c.mode, credits: c.credits, deontologyCredits: c.deontology ? c.credits : 0 };
}

const BalanceCase = z.strictObject({
  ...caseMetaWithId,
  biennium: Biennium,
  obligation: Amounts,
  distancePct: z.number().int().min(0).max(100),
  credits: z.array(Credit),
  expect: z.record(z.string(), z.unknown()),
});

const BALANCE_EXPECT = ['recorded', 'counted', 'notCounted', 'compliant'] as const;
const BalanceExpect = z.strictObject({
  recorded: z.record(z.string(), Whole).optional(),
  counted: z.strictObject({ total: Whole.optional(), deontology: Whole.optional(), distance: Whole.optional(), otherActivities: Whole.optional() }).optional(),
  notCounted: z.array(z.strictObject({ id: z.string(), credits: Whole, reason: z.string() })).optional(),
  compliant: z.boolean().optional(),
});

const DebtCase = z.strictObject({
  ...caseMetaWithId,
  biennium: Biennium,
  countedAtEnd: Amounts,
  request: z.strictObject({ filedOn: IsoDate, total: Whole, deontology: Whole }),
  laterCredits: z.array(Credit).optional(),
  expect: z.record(z.string(), z.unknown()),
});

const DEBT_EXPECT = ['request', 'reason', 'maximum', 'settled', 'oldBiennium', 'newBiennium'] as const;
const BienniumExpect = z.strictObject({ total: Whole.optional(), deontology: Whole.optional(), compliant: z.boolean().optional() });
const DebtExpect = z.strictObject({
  request: z.enum(['accepted', 'rejected']).optional(),
  reason: z.string().optional(),
  maximum: Whole.optional(),
  settled: z.array(z.strictObject({ id: z.string(), credits: Whole })).optional(),
  oldBiennium: BienniumExpect.optional(),
  newBiennium: BienniumExpect.optional(),
});

// ---------- checks ----------

/** A date on which every rule of the vectors is final: after 30 June of biennium+2 (R-DEBT-4). */
const finalDate = (biennium: number) => `${biennium + 2}-12-31`;

function checkBalanceCase(entry: unknown): void {
  const c = BalanceCase.parse(entry);
  assertKnownExpectFields(c.expect, BALANCE_EXPECT, c.id);
  const exp = BalanceExpect.parse(c.expect);
  const b = deriveBalance({
    biennium: c.biennium,
    asOf: finalDate(c.biennium),
    obligation: c.obligation,
    distancePct: c.distancePct,
    items: c.credits.map(toItem),
  });
  const actual: Record<string, unknown> = {};
  const wanted: Record<string, unknown> = {};
  if (exp.recorded !== undefined) {
    wanted.recorded = exp.recorded;
    actual.recorded = Object.fromEntries(Object.keys(exp.recorded).map((id) => [id, b.items.find((i) => i.id === id)?.recorded]));
  }
  if (exp.counted !== undefined) {
    wanted.counted = exp.counted;
    actual.counted = pick(b.counted, exp.counted);
  }
  if (exp.notCounted !== undefined) {
    wanted.notCounted = asSet(exp.notCounted);
    actual.notCounted = asSet(b.notCounted);
  }
  if (exp.compliant !== undefined) {
    wanted.compliant = exp.compliant;
    actual.compliant = b.compliant;
  }
  expect(actual, c.id).toEqual(wanted);
}

/**
 * A debt case: the request check (R-DEBT-1/2), then, when accepted, the old biennium (synthetic
 * in-person credits making `countedAtEnd`, obligation 50/6, 40%) with the debt, and the new one
 * with the previous biennium's debt, both derived on a date when R-DEBT-4 is final.
 */
function checkDebtCase(entry: unknown): void {
  const c = DebtCase.parse(entry);
  assertKnownExpectFields(c.expect, DEBT_EXPECT, c.id);
  const exp = DebtExpect.parse(c.expect);
  const obligation = { ...OBLIGATION };
  const maximum = debtMaximum(c.biennium);
  const shortfall = { total: obligation.total - c.countedAtEnd.total, deontology: obligation.deontology - c.countedAtEnd.deontology };
  const check = checkDebtRequest({ biennium: c.biennium, ...c.request }, { maximum, shortfall });
  const actual: Record<string, unknown> = {};
  const wanted: Record<string, unknown> = {};
  if (exp.request !== undefined) {
    wanted.request = exp.request;
    actual.request = check.ok ? 'accepted' : 'rejected';
  }
  if (exp.reason !== undefined) {
    wanted.reason = exp.reason;
    actual.reason = check.ok ? undefined : check.reason;
  }
  if (exp.maximum !== undefined) {
    wanted.maximum = exp.maximum;
    actual.maximum = check.maximum;
  }
  if (exp.settled !== undefined || exp.oldBiennium !== undefined || exp.newBiennium !== undefined) {
    const debt = check.ok ? { total: c.request.total, deontology: c.request.deontology } : null;
    const at = `${c.biennium}-06-01`;
    const items: CreditItem[] = [
      { id: 'old-ordinary', date: at, mode: 'in-person', credits: c.countedAtEnd.total - c.countedAtEnd.deontology, deontologyCredits: 0 },
      { id: 'old-deontology', date: at, mode: 'in-person', credits: c.countedAtEnd.deontology, deontologyCredits: c.countedAtEnd.deontology },
      ...(c.laterCredits ?? []).map(toItem),
    ];
    const asOf = finalDate(c.biennium);
    const old = deriveBalance({ biennium: c.biennium, asOf, obligation, distancePct: 40, items, debt });
    const next = deriveBalance({
      biennium: c.biennium + 2,
      asOf,
      obligation,
      distancePct: 40,
      items,
      previous: { obligation, distancePct: 40, debt },
    });
    // Both derivations must agree on what settled the debt (R-DEBT-3).
    expect(asSet(next.settlesPrevious), `${c.id}: settlement seen from the new biennium`).toEqual(
      asSet((old.debt?.settled ?? []).map((p) => ({ id: p.id, credits: p.credits, deontology: p.deontology }))),
    );
    if (exp.settled !== undefined) {
      wanted.settled = asSet(exp.settled);
      actual.settled = asSet((old.debt?.settled ?? []).map((p) => ({ id: p.id, credits: p.credits })));
    }
    if (exp.oldBiennium !== undefined) {
      wanted.oldBiennium = exp.oldBiennium;
      actual.oldBiennium = pick(withSettled(old), exp.oldBiennium);
    }
    if (exp.newBiennium !== undefined) {
      wanted.newBiennium = exp.newBiennium;
      actual.newBiennium = pick(withSettled(next), exp.newBiennium);
    }
  }
  expect(actual, c.id).toEqual(wanted);
}

/** What counts for a biennium: counted plus what settled its debt. */
function withSettled(b: Balance): { total: number; deontology: number; compliant: boolean } {
  return {
    total: b.counted.total + (b.debt?.settledTotal ?? 0),
    deontology: b.counted.deontology + (b.debt?.settledDeontology ?? 0),
    compliant: b.compliant,
  };
}

/** Turns a parsed `balance.json` into its cases; anything it cannot place becomes a failing case. */
export const checkBalanceFile: Checker = (file) =>
  sections(file, {
    cases: (entries, section) => entries.map((entry) => ({ name: `${section} ${labelWithNote(entry)}`, check: () => checkBalanceCase(entry) })),
    debt: (entries, section) => entries.map((entry) => ({ name: `${section} ${labelWithNote(entry)}`, check: () => checkDebtCase(entry) })),
  });
