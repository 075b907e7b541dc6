/** @module R-OBL-4: a biennium's surplus never carries over to the next one. */
import { describe, expect, it } from 'vitest';
import { deriveBalance, type CreditItem } from '../../src/domain/balance.ts';

const FULL = { total: 50, deontology: 6 };
const ev = (id: string, date: string, credits: number, deontologyCredits = 0): CreditItem => ({ id, date, mode: 'in-person', credits, deontologyCredits });

describe('surplus (R-OBL-4)', () => {
  it('credits beyond the obligation of 2025-26 count nothing in 2027-28', () => {
    const items = [ev('a', '2025-03-01', 40, 6), ev('b', '2026-05-01', 40, 6)];
    const first = deriveBalance({ biennium: 2025, asOf: '2028-12-31', obligation: FULL, distancePct: 40, items });
    expect(first.compliant).toBe(true);
    const next = deriveBalance({ biennium: 2027, asOf: '2028-12-31', obligation: FULL, distancePct: 40, items });
    expect(next.counted.total).toBe(0);
    expect(next.compliant).toBe(false);
  });
});
