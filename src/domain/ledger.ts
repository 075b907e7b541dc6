/**
 * @module The outcome of a member's balance that the ledger keeps (R-POL-2): the few figures a
 * council acts on, small enough to store for every member and biennium and to compare across
 * re-derivations. Balances themselves stay derived on read (`member-balance.ts`); this is only
 * what is remembered of them, to say when and why they changed.
 */
import { bienniumOf, yearOf } from './calendar.ts';
import type { MemberBalance } from './member-balance.ts';

export interface Amounts {
  total: number;
  deontology: number;
}

/** What the ledger records of a balance; the key order is fixed, so its JSON is canonical. */
export interface BalanceOutcome {
  /** The effective obligation (R-OBL-6). */
  obligation: Amounts;
  counted: Amounts & { distance: number; otherActivities: number };
  /** The distance pct in force (R-FAD-3). */
  distancePct: number;
  missing: Amounts;
  compliant: boolean;
  status: MemberBalance['balance']['status'];
  /** This biennium's accepted debt, or null (R-DEBT-3, R-DEBT-4). */
  debt: 'open' | 'settled' | 'unsettled' | null;
}

/**
 * The outcome of a derived balance.
 *
 * @example balanceOutcome(memberBalance(facts, 2025, '2026-11-23')).counted.total
 * @rule R-POL-2
 */
export function balanceOutcome(m: MemberBalance): BalanceOutcome {
  const b = m.balance;
  return {
    obligation: { total: m.obligation.effective.total, deontology: m.obligation.effective.deontology },
    counted: { total: b.counted.total, deontology: b.counted.deontology, distance: b.counted.distance, otherActivities: b.counted.otherActivities },
    distancePct: m.distance.pct,
    missing: { total: b.missing.total, deontology: b.missing.deontology },
    compliant: b.compliant,
    status: b.status,
    debt: b.debt ? b.debt.status : null,
  };
}

/** Canonical text of an outcome (the keys are built in a fixed order), what its digest is taken of. */
export function canonicalOutcome(o: BalanceOutcome): string {
  return JSON.stringify(ordered(o));
}

/** Rebuilds the object in the fixed key order (an outcome read back from jsonb has its keys reordered). */
function ordered(o: BalanceOutcome): BalanceOutcome {
  return {
    obligation: { total: o.obligation.total, deontology: o.obligation.deontology },
    counted: { total: o.counted.total, deontology: o.counted.deontology, distance: o.counted.distance, otherActivities: o.counted.otherActivities },
    distancePct: o.distancePct,
    missing: { total: o.missing.total, deontology: o.missing.deontology },
    compliant: o.compliant,
    status: o.status,
    debt: o.debt,
  };
}

/**
 * The bienniums a change affects unless stated: the current one and the previous one on the Rome
 * date of `now` (R-CAL-1, R-CAL-2), with any `extra` ones, ascending and without repeats.
 */
export function affectedBienniums(now: number, extra: readonly number[] = []): number[] {
  const current = bienniumOf(yearOf(now));
  return [...new Set([current - 2, current, ...extra.map((y) => bienniumOf(y))])].sort((a, b) => a - b);
}
