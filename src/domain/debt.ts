/** @module Credit debt: the request check (R-DEBT-1, R-DEBT-2) and its automatic settlement by the next biennium's first credits (R-DEBT-3, R-DEBT-4). */
import { assertBiennium } from './calendar.ts';

/** Accepted amounts of a debt; `deontology` is part of `total`. */
export interface DebtAmounts {
  total: number;
  deontology: number;
}

/** A debt request as the member files it (R-DEBT-2). */
export interface DebtRequest extends DebtAmounts {
  biennium: number;
  filedOn: string;
}

export const DEBT_REJECTIONS = ['over-maximum', 'deontology-over-total', 'late', 'too-early', 'nothing-to-recover', 'exceeds-shortfall'] as const;
export type DebtRejection = (typeof DEBT_REJECTIONS)[number];

export type DebtCheck =
  | { ok: true; maximum: number; deadline: string }
  | { ok: false; reason: DebtRejection; maximum: number; deadline: string; message: string };

/** Month-day of the filing deadline in the year after the biennium (R-DEBT-2). */
export const DEBT_FILING_DEADLINE = '02-28';
/** Month-day of the settlement deadline in the year after the biennium (R-DEBT-1, R-DEBT-4). */
export const DEBT_SETTLEMENT_DEADLINE = '06-30';
/** Default maximum debt (R-DEBT-1). */
export const DEBT_MAXIMUM_DEFAULT = 12;
/** Per-biennium maxima that differ from the default (R-DEBT-1: PLAT gives 9 for 2023–24). */
export const DEBT_MAXIMUM_BY_BIENNIUM: Readonly<Record<string, number>> = Object.freeze({ '2023': 9 });

/**
 * The largest debt a member may carry out of `biennium` (R-DEBT-1): the policy's per-biennium
 * value, else its default, else the built-in table (2023 → 9, otherwise 12).
 * @rule R-DEBT-1
 */
export function debtMaximum(biennium: number, policy?: { debtMaximum?: Record<string, number>; debtMaximumDefault?: number }): number {
  assertBiennium(biennium);
  const key = String(biennium);
  const table = policy?.debtMaximum ?? DEBT_MAXIMUM_BY_BIENNIUM;
  const own = Object.hasOwn(table, key) ? table[key] : undefined;
  return own ?? policy?.debtMaximumDefault ?? DEBT_MAXIMUM_DEFAULT;
}

/** Last day to file a debt request for `biennium`: 28 February of the year after it (R-DEBT-2). */
export function debtFilingDeadline(biennium: number): string {
  assertBiennium(biennium);
  return `${biennium + 2}-${DEBT_FILING_DEADLINE}`;
}

/** Last day credits settle the debt of `biennium`: 30 June of the year after it (R-DEBT-1, R-DEBT-4). */
export function debtSettlementDeadline(biennium: number): string {
  assertBiennium(biennium);
  return `${biennium + 2}-${DEBT_SETTLEMENT_DEADLINE}`;
}

/** The first day credits may settle the debt of `biennium`: 1 January of the next biennium (R-DEBT-1). */
export function debtSettlementStart(biennium: number): string {
  assertBiennium(biennium);
  return `${biennium + 2}-01-01`;
}

function assertAmount(what: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${what} must be a whole number ≥ 0, got ${v}`);
}

/**
 * Checks a debt request (R-DEBT-1, R-DEBT-2), in this order: `over-maximum` (total above the biennium's
 * maximum; total includes deontology), `deontology-over-total`, `late` (filed after 28 February
 * of the year after the biennium), `too-early` (filed before the biennium is over, i.e. before
 * 1 January after it), then, only when `ctx.shortfall` (obligation − counted) is given,
 * `nothing-to-recover` (no shortfall) and `exceeds-shortfall` (total or deontology above it).
 * A request for 0 credits is `nothing-to-recover` whatever the shortfall.
 * Throws `RangeError` for amounts that are not whole numbers ≥ 0 or a malformed date.
 * @rule R-DEBT-2
 */
export function checkDebtRequest(req: DebtRequest, ctx: { maximum: number; shortfall?: DebtAmounts }): DebtCheck {
  assertBiennium(req.biennium);
  assertAmount('total', req.total);
  assertAmount('deontology', req.deontology);
  assertAmount('maximum', ctx.maximum);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(req.filedOn)) throw new RangeError(`filedOn must be YYYY-MM-DD, got ${JSON.stringify(req.filedOn)}`);
  const { maximum } = ctx;
  const deadline = debtFilingDeadline(req.biennium);
  const reject = (reason: DebtRejection, message: string): DebtCheck => ({ ok: false, reason, maximum, deadline, message });
  if (req.total > maximum) return reject('over-maximum', `the debt may not exceed ${maximum} credits for this biennium (requested ${req.total})`);
  if (req.deontology > req.total) return reject('deontology-over-total', `deontology credits (${req.deontology}) are part of the total (${req.total})`);
  if (req.filedOn > deadline) return reject('late', `a debt request is filed by ${deadline}`);
  if (req.filedOn < debtSettlementStart(req.biennium))
    return reject('too-early', `a debt request is filed after the biennium ends, from ${debtSettlementStart(req.biennium)}`);
  if (req.total === 0) return reject('nothing-to-recover', 'the request names no credit to recover');
  if (ctx.shortfall) {
    const s = { total: Math.max(0, ctx.shortfall.total), deontology: Math.max(0, ctx.shortfall.deontology) };
    if (s.total === 0 && s.deontology === 0) return reject('nothing-to-recover', 'the biennium obligation is already met');
    if (req.total > s.total || req.deontology > s.deontology) {
      return reject('exceeds-shortfall', `the request exceeds what is missing (${s.total} credits, ${s.deontology} deontology)`);
    }
  }
  return { ok: true, maximum, deadline };
}

/** A credit that may settle a debt: granted, dated 1 Jan–30 Jun after the old biennium. */
export interface SettlementCandidate {
  id: string;
  date: string;
  credits: number;
  /** Of `credits`. */
  deontology: number;
  /** Which of the old biennium's caps the credit falls under, if any (R-FAD-2, R-ART9-1). */
  cap?: 'distance' | 'otherActivities' | null;
}

export interface SettledPart {
  id: string;
  date: string;
  credits: number;
  deontology: number;
}

export interface Settlement {
  settled: SettledPart[];
  settledTotal: number;
  settledDeontology: number;
  remaining: DebtAmounts;
}

/**
 * Settles an accepted debt with the first credits earned after the biennium (R-DEBT-3), taken
 * in chronological order (date, then id). Of each credit, the deontology part settles the
 * deontology debt first; then any part (ordinary credits before leftover deontology ones, which
 * the member keeps for the new biennium) settles what is left of the total debt beyond the
 * deontology still owed (total includes deontology, so ordinary credits never take the share
 * reserved for it). A credit under a cap of the old biennium settles only within what is left of
 * that cap (`room`), because a settled credit counts for the old biennium.
 * @rule R-DEBT-3
 */
export function settleDebt(debt: DebtAmounts, candidates: readonly SettlementCandidate[], room: { distance: number; otherActivities: number }): Settlement {
  assertAmount('debt.total', debt.total);
  assertAmount('debt.deontology', debt.deontology);
  let total = debt.total;
  let deontology = Math.min(debt.deontology, debt.total);
  const left = { distance: Math.max(0, room.distance), otherActivities: Math.max(0, room.otherActivities) };
  const settled: SettledPart[] = [];
  const ordered = [...candidates].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const c of ordered) {
    if (total === 0) break;
    assertAmount(`${c.id} credits`, c.credits);
    assertAmount(`${c.id} deontology`, c.deontology);
    const itemDeontology = Math.min(c.deontology, c.credits);
    const ordinary = c.credits - itemDeontology;
    let cap = c.cap ? left[c.cap] : Number.POSITIVE_INFINITY;
    // R-DEBT-3: deontology credits settle deontology debt first.
    const d = Math.min(itemDeontology, deontology, cap);
    deontology -= d;
    total -= d;
    cap -= d;
    // Then any part, within the total debt not reserved for deontology.
    const any = Math.min(c.credits - d, total - deontology, cap);
    total -= any;
    const anyDeontology = Math.max(0, any - ordinary);
    if (c.cap) left[c.cap] -= d + any;
    if (d + any > 0) settled.push({ id: c.id, date: c.date, credits: d + any, deontology: d + anyDeontology });
  }
  return {
    settled,
    settledTotal: settled.reduce((s, p) => s + p.credits, 0),
    settledDeontology: settled.reduce((s, p) => s + p.deontology, 0),
    remaining: { total, deontology },
  };
}
