/**
 * @module A member's balance for a biennium from the stored facts: the pro-rated obligation
 * (R-OBL-3) less approved reductions (R-RED, R-OBL-6), the distance pct in force (R-FAD-3, R-FAD-4),
 * accepted debts (R-DEBT), then `deriveBalance`. The API, the dashboard and the bench all call
 * this one function, so a balance is always the pure derivation of what is stored.
 */
import { bienniumPeriod } from './calendar.ts';
import { deriveBalance, type AcceptedDebt, type Balance, type CreditItem } from './balance.ts';
import { distancePctFor, provinceStays, type Grant, type PctDecision, type Transfer } from './grants.ts';
import { effectiveObligation, proRatedObligation } from './obligation.ts';
import type { Policy } from './policy.ts';
import { computeReduction, cumulativeReduction, type ReductionCause } from './reduction.ts';

export interface StoredReduction {
  id: string;
  biennium: number;
  cause: string;
  input: unknown;
  decision: {
    outcome: 'approved';
    reduction: number;
    deontology: number;
    ordinary: number;
    validity: 'biennium' | 'permanent' | 'until-certificate-expiry';
    validUntil: string | null;
  };
}

export interface StoredDebt {
  id: string;
  biennium: number;
  total: number;
  deontology: number;
  status: 'filed' | 'accepted';
  filedOn: string;
}

export interface MemberFacts {
  memberId: string;
  province: string;
  registrationDate: string;
  items: readonly CreditItem[];
  transfers: readonly Transfer[];
  grants: readonly Grant[];
  reductions: readonly StoredReduction[];
  debts: readonly StoredDebt[];
  /** The policy of the member's CPO (R-POL-1). */
  policy: Policy;
}

export interface AppliedReduction {
  id: string;
  cause: string;
  /** `approved` for this biennium; `carried` when a permanent or still-certified one from an earlier biennium is recomputed for this one (R-RED-6). */
  basis: 'approved' | 'carried';
  reduction: number;
  deontology: number;
  ordinary: number;
}

export interface ObligationBreakdown {
  base: { total: number; deontology: number; months: number };
  reductions: AppliedReduction[];
  reduction: { total: number; deontology: number; capped: boolean };
  effective: { total: number; deontology: number };
}

export interface MemberBalance {
  memberId: string;
  obligation: ObligationBreakdown;
  distance: { basePct: number; pct: number; grant: Pick<Grant, 'id' | 'scope' | 'pct' | 'deliberation' | 'validFrom' | 'validUntil'> | null };
  /** A debt request filed and not yet decided for this biennium. */
  debtRequest: StoredDebt | null;
  balance: Balance;
}

/** The obligation of a biennium after reductions (R-OBL-3, R-OBL-6, R-RED-5, R-RED-6). */
export function obligationFor(facts: MemberFacts, biennium: number): ObligationBreakdown {
  const base = proRatedObligation(biennium, facts.registrationDate);
  const applied: AppliedReduction[] = [];
  const amounts: { reduction: number; deontology: number; ordinary: number }[] = [];
  const approvedHere = new Set(facts.reductions.filter((r) => r.biennium === biennium).map((r) => r.cause));
  // The latest earlier request of each cause is the one that carries (a renewed certificate replaces the old one).
  const latestEarlier = new Map<string, StoredReduction>();
  for (const r of facts.reductions) {
    if (r.biennium >= biennium) continue;
    const seen = latestEarlier.get(r.cause);
    if (!seen || r.biennium > seen.biennium) latestEarlier.set(r.cause, r);
  }
  for (const r of facts.reductions) {
    if (r.biennium === biennium) {
      // The CPO's decision is what applies, even where it differs from the calculator.
      applied.push({
        id: r.id,
        cause: r.cause,
        basis: 'approved',
        reduction: r.decision.reduction,
        deontology: r.decision.deontology,
        ordinary: r.decision.ordinary,
      });
      amounts.push(r.decision);
      continue;
    }
    // A cause approved again for this biennium is not carried as well (it would count twice).
    if (r.biennium > biennium || approvedHere.has(r.cause) || latestEarlier.get(r.cause) !== r) continue;
    const carried = carriedReduction(r, biennium, facts.policy, base.total);
    if (carried) {
      applied.push({ id: r.id, cause: r.cause, basis: 'carried', ...carried });
      amounts.push(carried);
    }
  }
  const sum = cumulativeReduction(amounts, { policy: facts.policy, obligation: { total: base.total, deontology: base.deontology } });
  return {
    base,
    reductions: applied,
    reduction: { total: sum.reduction, deontology: sum.deontology, capped: sum.capped },
    effective: effectiveObligation(base, { total: sum.reduction, deontology: sum.deontology }),
  };
}

/**
 * R-RED-6: a permanent reduction (age 70, invalidity not subject to review) and one valid until a
 * certificate expires carry into later bienniums. **Decision:** it is recomputed for the later
 * biennium with the same cause and inputs (age bands and months differ). A permanent condition
 * with an end date carries only when it was still running at the end of the biennium it was
 * approved for: its period then runs on to the end of the later biennium; one that ended before
 * is not carried. A certified one runs to the certificate's expiry (the calculator cuts it there).
 */
function carriedReduction(r: StoredReduction, biennium: number, policy: Policy, obligationTotal: number) {
  const { validity, validUntil } = r.decision;
  if (validity === 'biennium') return null;
  if (validity === 'until-certificate-expiry' && (!validUntil || validUntil < bienniumPeriod(biennium).from)) return null;
  const input = { ...(r.input as Record<string, unknown>) };
  if (validity === 'permanent' && typeof input.to === 'string') {
    if (input.to < bienniumPeriod(r.biennium).to) return null;
    input.to = bienniumPeriod(biennium).to;
  }
  const result = computeReduction(r.cause as ReductionCause, input as never, { biennium, policy, obligationTotal });
  return result.ok ? { reduction: result.reduction, deontology: result.deontology, ordinary: result.ordinary } : null;
}

/** The distance pct of a biennium (R-FAD-2, R-FAD-3, R-FAD-4). */
export function distanceFor(facts: MemberFacts, biennium: number): PctDecision {
  return distancePctFor({ biennium, basePct: facts.policy.distancePct, grants: facts.grants, stays: provinceStays(facts.province, facts.transfers) });
}

function acceptedDebt(facts: MemberFacts, biennium: number): AcceptedDebt | null {
  const d = facts.debts.find((x) => x.biennium === biennium && x.status === 'accepted');
  return d ? { total: d.total, deontology: d.deontology } : null;
}

/**
 * The member's balance for `biennium` as of the Rome date `asOf`.
 *
 * @example memberBalance(facts, 2025, '2026-11-23').balance.counted.total
 */
export function memberBalance(facts: MemberFacts, biennium: number, asOf: string): MemberBalance {
  const obligation = obligationFor(facts, biennium);
  const distance = distanceFor(facts, biennium);
  const previousBiennium = biennium - 2;
  const previousDebt = acceptedDebt(facts, previousBiennium);
  const balance = deriveBalance({
    biennium,
    asOf,
    obligation: obligation.effective,
    distancePct: distance.pct,
    items: facts.items,
    debt: acceptedDebt(facts, biennium),
    // Only needed when the previous biennium has a debt this one's first credits settle (R-DEBT-3).
    previous: previousDebt
      ? { obligation: obligationFor(facts, previousBiennium).effective, distancePct: distanceFor(facts, previousBiennium).pct, debt: previousDebt }
      : null,
  });
  const g = distance.grant;
  return {
    memberId: facts.memberId,
    obligation,
    distance: {
      basePct: facts.policy.distancePct,
      pct: distance.pct,
      grant: g ? { id: g.id, scope: g.scope, pct: g.pct, deliberation: g.deliberation, validFrom: g.validFrom, validUntil: g.validUntil } : null,
    },
    debtRequest: facts.debts.find((d) => d.biennium === biennium && d.status === 'filed') ?? null,
    balance,
  };
}
