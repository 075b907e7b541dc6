/** @module Unit tests of the obligation: pro-rating for new members (R-OBL-3) and the effective obligation (R-OBL-6). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { effectiveObligation, OBLIGATION, proRatedObligation, YEARLY_OBJECTIVE } from '../../src/domain/obligation.ts';

describe('constants (R-OBL-1/2)', () => {
  it('50 credits of which 6 deontology; a yearly objective of 10/3', () => {
    expect(OBLIGATION).toEqual({ total: 50, deontology: 6 });
    expect(YEARLY_OBJECTIVE).toEqual({ total: 10, deontology: 3 });
  });
});

describe('proRatedObligation (R-OBL-3)', () => {
  it('gives the rule example: registered 2025-03-15 → 21 months → 44 / 5', () => {
    expect(proRatedObligation(2025, '2025-03-15')).toEqual({ total: 44, deontology: 5, months: 21 });
  });

  it('gives the full obligation to members registered before the biennium (or in its December before)', () => {
    expect(proRatedObligation(2025, '2010-06-01')).toEqual({ total: 50, deontology: 6, months: 24 });
    expect(proRatedObligation(2025, '2024-12-31')).toEqual({ total: 50, deontology: 6, months: 24 });
  });

  it('starts the month after registration', () => {
    expect(proRatedObligation(2025, '2025-01-01').months).toBe(23);
    expect(proRatedObligation(2025, '2025-01-31').months).toBe(23);
    expect(proRatedObligation(2025, '2026-11-30')).toEqual({ total: 2, deontology: 0, months: 1 }); // 50/24 = 2.08, 6/24 = 0.25
    expect(proRatedObligation(2025, '2025-12-15')).toEqual({ total: 25, deontology: 3, months: 12 });
  });

  it('rounds half up by R-CAL-4 (m = 18 → 37.5 → 38, 4.5 → 5)', () => {
    expect(proRatedObligation(2025, '2025-06-10')).toEqual({ total: 38, deontology: 5, months: 18 });
  });

  it('is 0 for members registered in the last month or after the biennium', () => {
    expect(proRatedObligation(2025, '2026-12-01')).toEqual({ total: 0, deontology: 0, months: 0 });
    expect(proRatedObligation(2025, '2030-01-01')).toEqual({ total: 0, deontology: 0, months: 0 });
  });

  it('refuses an even year or a malformed date', () => {
    expect(() => proRatedObligation(2026, '2025-03-15')).toThrow(RangeError);
    expect(() => proRatedObligation(2025, '2025-3-15')).toThrow(RangeError);
    expect(() => proRatedObligation(2025, '2025-13-01')).toThrow(RangeError);
  });

  it('never exceeds the full obligation and grows with earlier registration', () => {
    const date = fc
      .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(date, date, (a, b) => {
        const [early, late] = a <= b ? [a, b] : [b, a];
        const e = proRatedObligation(2025, early);
        const l = proRatedObligation(2025, late);
        expect(e.total).toBeLessThanOrEqual(50);
        expect(e.deontology).toBeLessThanOrEqual(e.total);
        expect(e.months).toBeGreaterThanOrEqual(l.months);
        expect(e.total).toBeGreaterThanOrEqual(l.total);
      }),
      { numRuns: 300 },
    );
  });
});

describe('effectiveObligation (R-OBL-6)', () => {
  it('subtracts total and deontology separately', () => {
    expect(effectiveObligation({ total: 50, deontology: 6 }, { total: 6, deontology: 1 })).toEqual({ total: 44, deontology: 5 });
  });

  it('never goes below 0', () => {
    expect(effectiveObligation({ total: 44, deontology: 5 }, { total: 50, deontology: 6 })).toEqual({ total: 0, deontology: 0 });
    expect(effectiveObligation({ total: 50, deontology: 6 }, { total: 3, deontology: 9 })).toEqual({ total: 47, deontology: 0 });
  });

  it('keeps the deontology obligation within the total left (R-OBL-1: deontology is part of the total)', () => {
    expect(effectiveObligation({ total: 50, deontology: 6 }, { total: 48, deontology: 0 })).toEqual({ total: 2, deontology: 2 });
  });

  it('refuses negative or fractional amounts', () => {
    expect(() => effectiveObligation({ total: 50, deontology: 6 }, { total: -1, deontology: 0 })).toThrow(RangeError);
    expect(() => effectiveObligation({ total: 50, deontology: 6 }, { total: 1.5, deontology: 0 })).toThrow(RangeError);
  });
});
