/** A member's balance from stored facts: obligation after reductions, carried reductions, grants, debts (R-OBL-3/6, R-RED-6, R-DEBT). */
import { describe, expect, it } from 'vitest';
import { memberBalance, obligationFor, type MemberFacts, type StoredReduction } from '../../src/domain/member-balance.ts';
import { PROFILES } from '../../src/domain/policy.ts';

const facts = (f: Partial<MemberFacts> = {}): MemberFacts => ({
  memberId: 'm1',
  province: 'MI',
  registrationDate: '2010-01-01',
  items: [],
  transfers: [],
  grants: [],
  reductions: [],
  debts: [],
  policy: PROFILES.national,
  ...f,
});
const approved = (
  r: Omit<StoredReduction, 'decision'> & { amount: number; deontology: number; validity: StoredReduction['decision']['validity']; validUntil?: string | null },
): StoredReduction => ({
  id: r.id,
  biennium: r.biennium,
  cause: r.cause,
  input: r.input,
  decision: {
    outcome: 'approved',
    reduction: r.amount,
    deontology: r.deontology,
    ordinary: r.amount - r.deontology,
    validity: r.validity,
    validUntil: r.validUntil ?? null,
  },
});

describe('obligationFor (R-OBL-3, R-OBL-6, R-RED-6)', () => {
  it('pro-rates a new member and takes the CPO-approved amount of a reduction', () => {
    const illness = approved({
      id: 'r1',
      biennium: 2025,
      cause: 'illness',
      input: { from: '2026-03-01', to: '2026-05-31' },
      amount: 6,
      deontology: 1,
      validity: 'biennium',
    });
    const o = obligationFor(facts({ registrationDate: '2025-03-15', reductions: [illness] }), 2025);
    expect(o.base).toEqual({ total: 44, deontology: 5, months: 21 });
    expect(o.reductions).toEqual([{ id: 'r1', cause: 'illness', basis: 'approved', reduction: 6, deontology: 1, ordinary: 5 }]);
    expect(o.effective).toEqual({ total: 38, deontology: 4 });
    // A biennium reduction does not carry.
    expect(obligationFor(facts({ reductions: [illness] }), 2027).effective).toEqual({ total: 50, deontology: 6 });
  });

  it('carries a permanent age-70 reduction, recomputed for the later biennium (age band changes)', () => {
    const age = approved({ id: 'a', biennium: 2025, cause: 'age70', input: { birthDate: '1954-01-05' }, amount: 15, deontology: 2, validity: 'permanent' });
    const o = obligationFor(facts({ reductions: [age] }), 2027);
    // 73 until Jan 2028: Jan–Dec 2027 at 30%... then from January 2028 (74) at 40%: 50/24 × (12×30% + 12×40%) = 17.5 → 18.
    expect(o.reductions).toEqual([{ id: 'a', cause: 'age70', basis: 'carried', reduction: 18, deontology: 2, ordinary: 16 }]);
  });

  it('does not count a cause twice when it was approved again for the biennium', () => {
    const old = approved({ id: 'old', biennium: 2023, cause: 'age70', input: { birthDate: '1954-01-05' }, amount: 15, deontology: 2, validity: 'permanent' });
    const again = approved({ id: 'new', biennium: 2025, cause: 'age70', input: { birthDate: '1954-01-05' }, amount: 15, deontology: 2, validity: 'permanent' });
    const o = obligationFor(facts({ reductions: [old, again] }), 2025);
    expect(o.reductions.map((r) => r.id)).toEqual(['new']);
    expect(o.effective).toEqual({ total: 35, deontology: 4 });
    // In 2027 only the latest of the two carries.
    expect(obligationFor(facts({ reductions: [old, again] }), 2027).reductions.map((r) => r.id)).toEqual(['new']);
  });

  it('a permanent condition that ended before the end of its biennium is not carried', () => {
    const ended = approved({
      id: 'd',
      biennium: 2023,
      cause: 'disability',
      input: { from: '2023-01-01', to: '2024-06-30', degreePct: 100, subjectToReview: false },
      amount: 19,
      deontology: 2,
      validity: 'permanent',
    });
    expect(obligationFor(facts({ reductions: [ended] }), 2025).reductions).toEqual([]);
    const ongoing = approved({
      id: 'i',
      biennium: 2025,
      cause: 'invalidity',
      input: { from: '2025-01-01', to: '2026-12-31', degreePct: 80, subjectToReview: false },
      amount: 20,
      deontology: 2,
      validity: 'permanent',
    });
    expect(obligationFor(facts({ reductions: [ongoing] }), 2027).reductions).toEqual([
      { id: 'i', cause: 'invalidity', basis: 'carried', reduction: 20, deontology: 2, ordinary: 18 },
    ]);
  });

  it('a certified reduction carries until the certificate expires', () => {
    const cert = approved({
      id: 'c',
      biennium: 2025,
      cause: 'invalidity',
      input: { from: '2026-03-01', degreePct: 67, subjectToReview: true, certificateExpiry: '2027-02-28' },
      amount: 7,
      deontology: 1,
      validity: 'until-certificate-expiry',
      validUntil: '2027-02-28',
    });
    // 2027-01-01..2027-02-28: 2 months × 50% × 67% × 50/24 = 1.40 → 1.
    expect(obligationFor(facts({ reductions: [cert] }), 2027).reductions).toEqual([
      { id: 'c', cause: 'invalidity', basis: 'carried', reduction: 1, deontology: 0, ordinary: 1 },
    ]);
    expect(obligationFor(facts({ reductions: [cert] }), 2029).reductions).toEqual([]);
  });
});

describe('memberBalance', () => {
  it('what is missing counts deontology within the total (R-OBL-1)', () => {
    const items = [
      { id: 'p', date: '2025-05-01', mode: 'in-person' as const, credits: 45, deontologyCredits: 0 },
      { id: 'd', date: '2025-06-01', mode: 'in-person' as const, credits: 3, deontologyCredits: 3 },
    ];
    const b = memberBalance(facts({ items }), 2025, '2027-01-10').balance;
    expect(b.counted).toMatchObject({ total: 48, deontology: 3 });
    expect(b.missing).toEqual({ total: 3, deontology: 3 });
    expect(b.status).toBe('non-compliant');
  });

  it('an accepted debt is settled by the first 2027 credits and both bienniums show it (R-DEBT-3)', () => {
    const items = [
      { id: 'old', date: '2025-05-01', mode: 'in-person' as const, credits: 46, deontologyCredits: 6 },
      { id: 'n1', date: '2027-02-10', mode: 'in-person' as const, credits: 3, deontologyCredits: 0 },
      { id: 'n2', date: '2027-03-05', mode: 'in-person' as const, credits: 3, deontologyCredits: 0 },
    ];
    const f = facts({ items, debts: [{ id: 'd', biennium: 2025, total: 4, deontology: 0, status: 'accepted', filedOn: '2027-02-01' }] });
    const old = memberBalance(f, 2025, '2027-04-01').balance;
    expect(old.debt).toMatchObject({ total: 4, settledTotal: 4, remaining: { total: 0, deontology: 0 }, status: 'settled', deadline: '2027-06-30' });
    expect(old.debt!.settled.map((s) => [s.id, s.credits])).toEqual([
      ['n1', 3],
      ['n2', 1],
    ]);
    expect(old.compliant).toBe(true);
    const next = memberBalance(f, 2027, '2027-04-01').balance;
    expect(next.settlesPrevious.map((s) => [s.id, s.credits])).toEqual([
      ['n1', 3],
      ['n2', 1],
    ]);
    expect(next.counted.total).toBe(2);
    // A filed, undecided request is shown, not settled.
    const filed = memberBalance(
      facts({ items, debts: [{ id: 'd', biennium: 2025, total: 4, deontology: 0, status: 'filed', filedOn: '2027-02-01' }] }),
      2025,
      '2027-04-01',
    );
    expect(filed.debtRequest?.id).toBe('d');
    expect(filed.balance.debt).toBeNull();
  });
});
