/** @module A member's obligation for a biennium: full, pro-rated for new members, after reductions (R-OBL-1, R-OBL-2, R-OBL-3, R-OBL-6). */
import { assertBiennium, bienniumOf } from './calendar.ts';
import { roundRational } from './rational.ts';

/** Credits owed for a biennium, `deontology` being part of `total`. */
export interface Obligation {
  total: number;
  deontology: number;
}

/** The full biennium obligation: 50 credits, at least 6 of them deontology (R-OBL-1). */
export const OBLIGATION: Readonly<Obligation> = Object.freeze({ total: 50, deontology: 6 });

/**
 * The suggested yearly objective, shown and never enforced (R-OBL-2, PLAT "Obiettivi suggeriti").
 * @rule R-OBL-2
 */
export const YEARLY_OBJECTIVE: Readonly<Obligation> = Object.freeze({ total: 10, deontology: 3 });

/** Months in a biennium (R-CAL-1). */
export const BIENNIUM_MONTHS = 24;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The obligation of a member registered on `registrationDate` (R-OBL-3): it starts the month
 * after registration; with m = months of the biennium from that month to December of the second
 * year (0..24), total = round(50 × m / 24) and deontology = round(6 × m / 24), both by R-CAL-4.
 * Registered before the biennium's first counted month → full 50/6 (m = 24); registered in
 * December of the second year or later → 0/0.
 *
 * @example proRatedObligation(2025, '2025-03-15') // → { total: 44, deontology: 5, months: 21 }
 * @rule R-OBL-1
 * @rule R-OBL-3
 */
export function proRatedObligation(biennium: number, registrationDate: string): Obligation & { months: number } {
  assertBiennium(biennium);
  const m = ISO_DATE.exec(registrationDate);
  const month = m ? Number(m[2]) : 0;
  const day = m ? Number(m[3]) : 0;
  if (!m || month < 1 || month > 12 || day < 1 || day > 31) {
    throw new RangeError(`registrationDate must be YYYY-MM-DD, got ${JSON.stringify(registrationDate)}`);
  }
  // Months as a running index (year × 12 + month − 1); the obligation starts the month after.
  const startsAt = Number(m[1]) * 12 + (month - 1) + 1;
  const first = biennium * 12; // January of the first year
  const last = first + BIENNIUM_MONTHS - 1; // December of the second year
  const months = Math.min(BIENNIUM_MONTHS, Math.max(0, last - Math.max(startsAt, first) + 1));
  return {
    total: roundRational(OBLIGATION.total * months, BIENNIUM_MONTHS),
    deontology: roundRational(OBLIGATION.deontology * months, BIENNIUM_MONTHS),
    months,
  };
}

/**
 * The effective obligation (R-OBL-6): the pro-rated obligation minus the approved reductions,
 * total and deontology separately, each never below 0. Deontology credits are part of the total
 * (R-OBL-1), so the deontology obligation never exceeds what is left of the total (the same rule
 * as `cumulativeReduction`: many small reductions whose 12% rounds to 0 could otherwise leave
 * 2 total with 6 deontology).
 * @rule R-OBL-6
 */
export function effectiveObligation(proRated: Obligation, reduction: Obligation): Obligation {
  for (const [what, v] of [
    ['proRated.total', proRated.total],
    ['proRated.deontology', proRated.deontology],
    ['reduction.total', reduction.total],
    ['reduction.deontology', reduction.deontology],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${what} must be a whole number ≥ 0, got ${v}`);
  }
  const total = Math.max(0, proRated.total - reduction.total);
  return { total, deontology: Math.min(total, Math.max(0, proRated.deontology - reduction.deontology)) };
}
