/** @module Unit tests of the credit debt: request check (R-DEBT-1/2) and automatic settlement (R-DEBT-3). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDebtRequest, debtFilingDeadline, debtMaximum, debtSettlementDeadline, settleDebt, type SettlementCandidate } from '../../src/domain/debt.ts';

describe('debtMaximum (R-DEBT-1)', () => {
  it('is 9 for 2023–24 and 12 otherwise by default', () => {
    expect(debtMaximum(2023)).toBe(9);
    expect(debtMaximum(2025)).toBe(12);
    expect(debtMaximum(2021)).toBe(12);
  });

  it('takes the policy per biennium, then its default', () => {
    const policy = { debtMaximum: { '2025': 8 }, debtMaximumDefault: 10 };
    expect(debtMaximum(2025, policy)).toBe(8);
    expect(debtMaximum(2023, policy)).toBe(10);
    expect(debtMaximum(2027, { debtMaximumDefault: 6 })).toBe(6);
    expect(debtMaximum(2023, { debtMaximumDefault: 6 })).toBe(9); // no table in the policy: the built-in one
    expect(debtMaximum(2023, { debtMaximum: {}, debtMaximumDefault: 6 })).toBe(6); // a policy's table replaces it
  });

  it('refuses an even year', () => {
    expect(() => debtMaximum(2024)).toThrow(RangeError);
  });
});

describe('deadlines (R-DEBT-2, R-DEBT-4)', () => {
  it('files by 28 February and settles by 30 June after the biennium', () => {
    expect(debtFilingDeadline(2025)).toBe('2027-02-28');
    expect(debtSettlementDeadline(2025)).toBe('2027-06-30');
  });
});

describe('checkDebtRequest (R-DEBT-1/2)', () => {
  const ok = { biennium: 2025, filedOn: '2027-02-10', total: 6, deontology: 0 };

  it('accepts a request within the maximum, on time', () => {
    expect(checkDebtRequest(ok, { maximum: 12 })).toEqual({ ok: true, maximum: 12, deadline: '2027-02-28' });
    expect(checkDebtRequest({ ...ok, filedOn: '2027-01-01', total: 12, deontology: 12 }, { maximum: 12 }).ok).toBe(true);
    expect(checkDebtRequest({ ...ok, filedOn: '2027-02-28' }, { maximum: 12 }).ok).toBe(true);
  });

  it('rejects with a reason, in the documented order', () => {
    const reason = (r: Partial<typeof ok>, ctx: Parameters<typeof checkDebtRequest>[1] = { maximum: 12 }) => {
      const c = checkDebtRequest({ ...ok, ...r }, ctx);
      return c.ok ? 'accepted' : c.reason;
    };
    expect(reason({ total: 13 })).toBe('over-maximum');
    expect(reason({ total: 13, deontology: 14, filedOn: '2027-03-01' })).toBe('over-maximum');
    expect(reason({ total: 3, deontology: 4, filedOn: '2027-03-01' })).toBe('deontology-over-total');
    expect(reason({ filedOn: '2027-03-01' })).toBe('late');
    expect(reason({ filedOn: '2026-12-31' })).toBe('too-early');
    expect(reason({ total: 0 })).toBe('nothing-to-recover');
    expect(reason({}, { maximum: 12, shortfall: { total: 0, deontology: 0 } })).toBe('nothing-to-recover');
    expect(reason({}, { maximum: 12, shortfall: { total: -3, deontology: 0 } })).toBe('nothing-to-recover');
    expect(reason({ total: 7 }, { maximum: 12, shortfall: { total: 6, deontology: 0 } })).toBe('exceeds-shortfall');
    expect(reason({ deontology: 2 }, { maximum: 12, shortfall: { total: 6, deontology: 1 } })).toBe('exceeds-shortfall');
    expect(reason({ total: 5 }, { maximum: 12, shortfall: { total: 6, deontology: 2 } })).toBe('accepted');
  });

  it('reports the maximum and a message with a rejection', () => {
    const c = checkDebtRequest({ ...ok, biennium: 2023, filedOn: '2025-02-15', total: 10 }, { maximum: debtMaximum(2023) });
    expect(c).toMatchObject({ ok: false, reason: 'over-maximum', maximum: 9, deadline: '2025-02-28' });
    expect(!c.ok && c.message).toMatch(/9/);
  });

  it('refuses malformed input', () => {
    expect(() => checkDebtRequest({ ...ok, total: -1 }, { maximum: 12 })).toThrow(RangeError);
    expect(() => checkDebtRequest({ ...ok, total: 1.5 }, { maximum: 12 })).toThrow(RangeError);
    expect(() => checkDebtRequest({ ...ok, filedOn: '10/02/2027' }, { maximum: 12 })).toThrow(RangeError);
    expect(() => checkDebtRequest({ ...ok, biennium: 2026 }, { maximum: 12 })).toThrow(RangeError);
  });
});

describe('settleDebt (R-DEBT-3)', () => {
  const room = { distance: 100, otherActivities: 100 };
  const c = (id: string, date: string, credits: number, deontology = 0, cap: SettlementCandidate['cap'] = null): SettlementCandidate => ({
    id,
    date,
    credits,
    deontology,
    cap,
  });

  it('takes the first credits, chronologically, up to the accepted total (DEBT-01)', () => {
    const s = settleDebt({ total: 6, deontology: 0 }, [c('n2', '2027-03-05', 3), c('n1', '2027-02-10', 4)], room);
    expect(s.settled).toEqual([
      { id: 'n1', date: '2027-02-10', credits: 4, deontology: 0 },
      { id: 'n2', date: '2027-03-05', credits: 2, deontology: 0 },
    ]);
    expect(s).toMatchObject({ settledTotal: 6, settledDeontology: 0, remaining: { total: 0, deontology: 0 } });
  });

  it('settles deontology debt with deontology credits first, and keeps its share from ordinary credits', () => {
    // 6 total of which 2 deontology: 10 ordinary credits settle only 4; the deontology item the rest.
    const s = settleDebt({ total: 6, deontology: 2 }, [c('o', '2027-01-10', 10), c('d', '2027-02-10', 3, 3)], room);
    expect(s.settled).toEqual([
      { id: 'o', date: '2027-01-10', credits: 4, deontology: 0 },
      { id: 'd', date: '2027-02-10', credits: 2, deontology: 2 },
    ]);
    expect(s.remaining).toEqual({ total: 0, deontology: 0 });
  });

  it('uses an item ordinary part before its leftover deontology part for the ordinary debt', () => {
    const s = settleDebt({ total: 5, deontology: 1 }, [c('m', '2027-01-10', 6, 3)], room);
    // 1 deontology for the deontology debt, then 3 ordinary, then 0 more deontology: 4 + ... = 5 → 1 leftover deontology.
    expect(s.settled).toEqual([{ id: 'm', date: '2027-01-10', credits: 5, deontology: 2 }]);
  });

  it('leaves deontology debt open when only ordinary credits come (DEBT-04 like)', () => {
    const s = settleDebt({ total: 6, deontology: 2 }, [c('o', '2027-01-10', 10)], room);
    expect(s.remaining).toEqual({ total: 2, deontology: 2 });
    expect(s.settledTotal).toBe(4);
  });

  it('lets capped credits settle only within the room left by the old biennium', () => {
    const s = settleDebt(
      { total: 10, deontology: 0 },
      [c('w', '2027-01-10', 5, 0, 'distance'), c('a', '2027-01-11', 5, 0, 'otherActivities'), c('w2', '2027-01-12', 5, 0, 'distance'), c('p', '2027-01-13', 5)],
      { distance: 3, otherActivities: 1 },
    );
    expect(s.settled.map((p) => [p.id, p.credits])).toEqual([
      ['w', 3],
      ['a', 1],
      ['p', 5],
    ]);
    expect(s.remaining.total).toBe(1);
  });

  it('never settles more than accepted nor more than offered, whatever the credits', () => {
    const cand = fc
      .record({
        id: fc.string({ minLength: 1, maxLength: 4 }),
        date: fc.integer({ min: 1, max: 28 }).map((d) => `2027-0${1 + (d % 6)}-${String(d).padStart(2, '0')}`),
        credits: fc.integer({ min: 0, max: 10 }),
        deontology: fc.integer({ min: 0, max: 10 }),
        cap: fc.constantFrom<SettlementCandidate['cap']>(null, 'distance', 'otherActivities'),
      })
      .map((x) => ({ ...x, deontology: Math.min(x.deontology, x.credits) }));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 12 }).chain((t) => fc.record({ total: fc.constant(t), deontology: fc.integer({ min: 0, max: t }) })),
        fc.uniqueArray(cand, { selector: (x) => x.id, maxLength: 8 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 20 }),
        (debt, cands, distance, otherActivities) => {
          const s = settleDebt(debt, cands, { distance, otherActivities });
          expect(s.settledTotal + s.remaining.total).toBe(debt.total);
          expect(debt.deontology - s.remaining.deontology).toBeLessThanOrEqual(s.settledDeontology);
          expect(s.remaining.deontology).toBeLessThanOrEqual(s.remaining.total);
          const byId = new Map(cands.map((x) => [x.id, x]));
          for (const p of s.settled) {
            const x = byId.get(p.id)!;
            expect(p.credits).toBeLessThanOrEqual(x.credits);
            expect(p.deontology).toBeLessThanOrEqual(Math.min(x.deontology, p.credits));
          }
          const used = (cap: string) => s.settled.filter((p) => byId.get(p.id)!.cap === cap).reduce((a, p) => a + p.credits, 0);
          expect(used('distance')).toBeLessThanOrEqual(distance);
          expect(used('otherActivities')).toBeLessThanOrEqual(otherActivities);
        },
      ),
      { numRuns: 300 },
    );
  });
});
