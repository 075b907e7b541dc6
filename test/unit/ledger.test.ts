import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { affectedBienniums, canonicalOutcome, type BalanceOutcome } from '../../src/domain/ledger.ts';

const at = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Rome' }).toMillis();

describe('ledger outcome (R-POL-2)', () => {
  it('affects the current and the previous biennium on the Rome date, plus those asked for', () => {
    expect(affectedBienniums(at('2026-12-20T12:00'))).toEqual([2023, 2025]);
    // 31 December 23:30 in Rome is already 2027 there; in UTC it is still 2026.
    expect(affectedBienniums(Date.parse('2026-12-31T23:30:00Z'))).toEqual([2025, 2027]);
    expect(affectedBienniums(at('2026-12-20T12:00'), [2026, 2027, 2019])).toEqual([2019, 2023, 2025, 2027]);
  });

  it('has one canonical text whatever the key order (jsonb reorders keys)', () => {
    const o: BalanceOutcome = {
      obligation: { total: 50, deontology: 6 },
      counted: { total: 20, deontology: 3, distance: 20, otherActivities: 0 },
      distancePct: 40,
      missing: { total: 30, deontology: 3 },
      compliant: false,
      status: 'in-progress',
      debt: null,
    };
    const shuffled = JSON.parse(
      JSON.stringify({
        status: o.status,
        debt: null,
        missing: { deontology: 3, total: 30 },
        compliant: false,
        distancePct: 40,
        counted: { otherActivities: 0, distance: 20, deontology: 3, total: 20 },
        obligation: { deontology: 6, total: 50 },
      }),
    );
    expect(canonicalOutcome(shuffled)).toBe(canonicalOutcome(o));
    expect(canonicalOutcome({ ...o, distancePct: 60 })).not.toBe(canonicalOutcome(o));
  });
});
