/** @module Unit tests of the reduction rules (R-RED-1..8): amounts, split, validity, cumulation, filing windows, procedure deadlines, workflow. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { monthsOfPeriod } from '../../src/domain/calendar.ts';
import { PROFILES, resolvePolicy } from '../../src/domain/policy.ts';
import { roundRational } from '../../src/domain/rational.ts';
import {
  CAUSE_INPUT_KIND,
  REDUCTION_ACTIONS,
  REDUCTION_CAUSES,
  REDUCTION_STATES,
  REDUCTION_TRANSITIONS,
  appealDeadline,
  computeReduction,
  cumulativeReduction,
  decisionDeadline,
  filingDeadline,
  impedimentPeriod,
  integrationDeadline,
  lateFilingAcceptable,
  nextState,
  reductionStateMachine,
  splitReduction,
  type ReductionOk,
  type ReductionResult,
} from '../../src/domain/reduction.ts';

const national = { biennium: 2025, policy: PROFILES.national };

function ok(r: ReductionResult): ReductionOk {
  if (!r.ok) throw new Error(`expected an accepted reduction, got ${r.rejected}: ${r.message}`);
  return r;
}

/** Calendar date arithmetic without luxon, as an independent oracle. */
function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

const dateArb = fc
  .date({ min: new Date(Date.UTC(2020, 0, 1)), max: new Date(Date.UTC(2030, 11, 31)), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('splitReduction (R-RED-4)', () => {
  it('gives round(12%) to deontology and the rest to ordinary (BA worked example)', () => {
    expect(splitReduction(6)).toEqual({ reduction: 6, deontology: 1, ordinary: 5 });
    expect(splitReduction(4)).toEqual({ reduction: 4, deontology: 0, ordinary: 4 }); // 0.48
    expect(splitReduction(25)).toEqual({ reduction: 25, deontology: 3, ordinary: 22 });
    expect(splitReduction(0)).toEqual({ reduction: 0, deontology: 0, ordinary: 0 });
  });

  it('rounds by R-CAL-4 (5.52 → 6, 3.48 → 3)', () => {
    // 12% × r = 0.5 has no whole r; 12% × 46 = 5.52 → 6, 12% × 29 = 3.48 → 3.
    expect(splitReduction(46).deontology).toBe(6);
    expect(splitReduction(29).deontology).toBe(3);
  });

  it('throws for a negative or fractional reduction', () => {
    expect(() => splitReduction(-1)).toThrow(RangeError);
    expect(() => splitReduction(1.5)).toThrow(RangeError);
  });

  it('always sums back, deontology within the reduction', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), (r) => {
        const s = splitReduction(r);
        expect(s.deontology + s.ordinary).toBe(r);
        expect(s.deontology).toBe(roundRational(12 * r, 100));
        expect(s.deontology).toBeLessThanOrEqual(r);
      }),
    );
  });
});

describe('computeReduction: period causes (R-RED-2/3)', () => {
  const periodCauses = REDUCTION_CAUSES.filter((c) => CAUSE_INPUT_KIND[c] === 'period' && c !== 'law104');

  it.each(periodCauses)('%s gives b × months', (cause) => {
    const r = ok(computeReduction(cause, { from: '2026-03-01', to: '2026-05-31' } as never, national));
    expect(r).toMatchObject({ cause, reduction: 6, deontology: 1, ordinary: 5, months: 3, validity: 'biennium', validUntil: '2026-12-31' });
  });

  it('law 104 gives b × months × 10% (2.5 → 3; 24 months → 5)', () => {
    expect(ok(computeReduction('law104', { from: '2025-01-01', to: '2025-12-31' }, national)).reduction).toBe(3);
    expect(ok(computeReduction('law104', { from: '2025-01-01', to: '2026-12-31' }, national)).reduction).toBe(5);
  });

  it('counts months by R-CAL-5: 2 months 14 days → 2, 15 days → 3', () => {
    expect(ok(computeReduction('illness', { from: '2026-03-01', to: '2026-05-14' }, national))).toMatchObject({ months: 2, reduction: 4 });
    expect(ok(computeReduction('illness', { from: '2026-03-01', to: '2026-05-15' }, national))).toMatchObject({ months: 3, reduction: 6 });
  });

  it('rejects periods shorter than 30 days, inclusive (R-RED-3)', () => {
    const r = computeReduction('illness', { from: '2026-03-01', to: '2026-03-29' }, national);
    expect(r).toMatchObject({ ok: false, rejected: 'period-shorter-than-30-days' });
    expect(ok(computeReduction('illness', { from: '2026-03-01', to: '2026-03-30' }, national))).toMatchObject({ months: 1, reduction: 2 });
  });

  it('judges the 30 days on the whole period, then counts only the months in the biennium', () => {
    // 41 days in all, 10 of them in 2025: accepted, 0 months, 0 credits.
    const r = ok(computeReduction('illness', { from: '2024-12-01', to: '2025-01-10' }, national));
    expect(r).toMatchObject({ reduction: 0, months: 0, period: { from: '2025-01-01', to: '2025-01-10' } });
    const spanning = ok(computeReduction('illness', { from: '2026-10-01', to: '2027-03-31' }, national));
    expect(spanning).toMatchObject({ months: 3, reduction: 6, period: { from: '2026-10-01', to: '2026-12-31' } });
  });

  it('reaches 50 for the whole biennium (CUM-02)', () => {
    expect(ok(computeReduction('illness', { from: '2025-01-01', to: '2026-12-31' }, national))).toMatchObject({ reduction: 50, deontology: 6, ordinary: 44 });
  });

  it('rejects a period outside the biennium', () => {
    expect(computeReduction('illness', { from: '2023-03-01', to: '2023-06-30' }, national)).toMatchObject({ ok: false, rejected: 'outside-biennium' });
    expect(computeReduction('illness', { from: '2027-01-01', to: '2027-06-30' }, national)).toMatchObject({ ok: false, rejected: 'outside-biennium' });
  });

  it('equals roundRational(50 × months, 24) of the clipped period, split by R-RED-4', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 29, max: 900 }), (from, length) => {
        const to = addDays(from, length);
        const r = computeReduction('injury', { from, to }, national);
        if (to < '2025-01-01' || from > '2026-12-31') {
          expect(r).toMatchObject({ ok: false, rejected: 'outside-biennium' });
          return;
        }
        const a = ok(r);
        const cf = from < '2025-01-01' ? '2025-01-01' : from;
        const ct = to > '2026-12-31' ? '2026-12-31' : to;
        expect(a.period).toEqual({ from: cf, to: ct });
        expect(a.months).toBe(monthsOfPeriod(cf, ct));
        expect(a.reduction).toBe(roundRational(50 * a.months, 24));
        expect(a.deontology + a.ordinary).toBe(a.reduction);
        expect(a.reduction).toBeLessThanOrEqual(50);
      }),
    );
  });

  it('explains the computation with its numbers', () => {
    const r = ok(computeReduction('illness', { from: '2026-03-01', to: '2026-05-31' }, national));
    expect(r.explanation).toContain('50/24 × 3 months = 6.25 → 6');
    expect(r.explanation).toContain('round(12% × 6 = 0.72) = 1');
  });
});

describe('computeReduction: age 70 (R-RED-2)', () => {
  it('counts the month of the 70th birthday whole, at 30% (RED-05)', () => {
    expect(ok(computeReduction('age70', { birthDate: '1956-06-10' }, national))).toMatchObject({
      months: 7,
      reduction: 4,
      period: { from: '2026-06-01', to: '2026-12-31' },
    });
  });

  it('switches band from the month the new age is reached (RED-07: July 2025 is already 40%)', () => {
    const r = ok(computeReduction('age70', { birthDate: '1951-07-20' }, national));
    expect(r).toMatchObject({ months: 24, reduction: 19, deontology: 2, ordinary: 17 });
    expect(r.explanation).toContain('6 months × 30% + 18 months × 40%');
  });

  it('reaches 50% from the month of the 78th birthday', () => {
    // 78 on 2026-03-15: 14 months at 40%, 10 at 50% → 50/24 × 10.6 = 22.08 → 22.
    expect(ok(computeReduction('age70', { birthDate: '1948-03-15' }, national)).reduction).toBe(22);
    expect(ok(computeReduction('age70', { birthDate: '1945-02-01' }, national)).reduction).toBe(25);
  });

  it('never exceeds 50% of the biennium obligation (art. 27 c.3)', () => {
    const r = ok(computeReduction('age70', { birthDate: '1945-02-01' }, { ...national, obligationTotal: 30 }));
    expect(r.reduction).toBe(15);
    expect(r.explanation).toContain('capped at 50% of 30 = 15');
  });

  it('takes 28 February as the birthday of someone born on 29 February', () => {
    // 70 on 2026-02-28: February..December 2026 = 11 months × 30% → 6.875 → 7.
    expect(ok(computeReduction('age70', { birthDate: '1956-02-29' }, national))).toMatchObject({ months: 11, reduction: 7 });
  });

  it('is permanent (R-RED-6)', () => {
    expect(ok(computeReduction('age70', { birthDate: '1954-01-05' }, national))).toMatchObject({ validity: 'permanent', validUntil: null });
  });

  it('rejects a member not yet 70 in the biennium', () => {
    expect(computeReduction('age70', { birthDate: '1957-01-01' }, national)).toMatchObject({ ok: false, rejected: 'outside-biennium' });
    expect(ok(computeReduction('age70', { birthDate: '1956-12-31' }, national))).toMatchObject({ months: 1, reduction: 1 });
  });
});

describe('computeReduction: invalidity and disability (R-RED-2/6)', () => {
  it('gives b × months × 50% × degree, permanent when not subject to review (RED-10)', () => {
    for (const cause of ['invalidity', 'disability'] as const) {
      const r = ok(computeReduction(cause, { from: '2025-01-01', to: '2026-12-31', degreePct: 80, subjectToReview: false }, national));
      expect(r).toMatchObject({ reduction: 20, deontology: 2, ordinary: 18, validity: 'permanent', validUntil: null });
    }
  });

  it('runs open-ended without `to` when not subject to review', () => {
    const r = ok(computeReduction('invalidity', { from: '2020-05-01', degreePct: 100, subjectToReview: false }, national));
    expect(r).toMatchObject({ months: 24, reduction: 25, period: { from: '2025-01-01', to: '2026-12-31' } });
  });

  it('lasts until the certificate expires when subject to review, the period too', () => {
    const r = ok(
      computeReduction('invalidity', { from: '2025-01-01', to: '2026-12-31', degreePct: 80, subjectToReview: true, certificateExpiry: '2025-06-30' }, national),
    );
    expect(r).toMatchObject({ months: 6, reduction: 5, validity: 'until-certificate-expiry', validUntil: '2025-06-30', period: { to: '2025-06-30' } });
    const noTo = ok(computeReduction('disability', { from: '2026-03-01', degreePct: 67, subjectToReview: true, certificateExpiry: '2027-02-28' }, national));
    expect(noTo).toMatchObject({ months: 10, reduction: 7, validUntil: '2027-02-28' });
  });

  it('rejects bad degree and review data as invalid-input', () => {
    const base = { from: '2025-01-01', to: '2025-12-31', subjectToReview: false };
    for (const degreePct of [0, 101, 50.5]) {
      expect(computeReduction('invalidity', { ...base, degreePct }, national)).toMatchObject({ ok: false, rejected: 'invalid-input' });
    }
    expect(computeReduction('invalidity', { ...base, degreePct: 50, subjectToReview: true }, national)).toMatchObject({ rejected: 'invalid-input' });
    expect(computeReduction('invalidity', { ...base, degreePct: 50, subjectToReview: 'no' as never }, national)).toMatchObject({ rejected: 'invalid-input' });
  });
});

describe('computeReduction: maternity, paternity, adoption, fostering (R-RED-2)', () => {
  it('runs from policy.maternityMonthsBefore months before the birth to the day before the first birthday', () => {
    expect(impedimentPeriod('maternity', { birthDate: '2026-04-15' }, PROFILES.national)).toEqual({ ok: true, from: '2026-02-15', to: '2027-04-14' });
    expect(impedimentPeriod('paternity', { birthDate: '2026-04-15' }, PROFILES.RC)).toEqual({ ok: true, from: '2026-01-15', to: '2027-04-14' });
    expect(ok(computeReduction('paternity', { birthDate: '2026-04-15' }, national)).reduction).toBe(23);
    expect(ok(computeReduction('maternity', { birthDate: '2026-04-15' }, { biennium: 2025, policy: PROFILES.BA })).reduction).toBe(25);
    const zero = resolvePolicy('national', { maternityMonthsBefore: 0 });
    // 2026-04-15..2026-12-31: 8 months 17 days → 9 → 18.75 → 19.
    expect(ok(computeReduction('maternity', { birthDate: '2026-04-15' }, { biennium: 2025, policy: zero }))).toMatchObject({ months: 9, reduction: 19 });
  });

  it('counts the rest in the next biennium (RED-13) and is valid for the biennium', () => {
    expect(ok(computeReduction('maternity', { birthDate: '2026-04-15' }, { biennium: 2027, policy: PROFILES.national }))).toMatchObject({
      months: 3,
      reduction: 6,
      validity: 'biennium',
      validUntil: '2028-12-31',
    });
  });

  it('gives adoption and fostering one year from the arrival', () => {
    for (const cause of ['adoption', 'fostering'] as const) {
      expect(impedimentPeriod(cause, { arrivalDate: '2025-09-10' }, PROFILES.national)).toEqual({ ok: true, from: '2025-09-10', to: '2026-09-09' });
      expect(ok(computeReduction(cause, { arrivalDate: '2025-09-10' }, national)).reduction).toBe(25);
    }
  });
});

describe('computeReduction: inputs and context', () => {
  it('rejects malformed inputs as invalid-input, never throwing', () => {
    const cases: [string, unknown][] = [
      ['illness', { from: '2026-02-30', to: '2026-05-31' }],
      ['illness', { from: '2026-05-31', to: '2026-03-01' }],
      ['illness', { from: '2026-03-01' }],
      ['illness', null],
      ['illness', []],
      ['age70', { birthDate: '10/06/1956' }],
      ['maternity', {}],
      ['adoption', { arrivalDate: 20250910 }],
      ['boredom', { from: '2026-03-01', to: '2026-05-31' }],
    ];
    for (const [cause, input] of cases) {
      expect(computeReduction(cause as never, input as never, national), `${cause} ${JSON.stringify(input)}`).toMatchObject({
        ok: false,
        rejected: 'invalid-input',
      });
    }
  });

  it('throws RangeError for a bad context', () => {
    const input = { from: '2026-03-01', to: '2026-05-31' };
    expect(() => computeReduction('illness', input, { ...national, biennium: 2026 })).toThrow(RangeError);
    expect(() => computeReduction('illness', input, { ...national, obligationTotal: 51 })).toThrow(RangeError);
  });
});

describe('cumulativeReduction (R-RED-5, R-OBL-6)', () => {
  const full = { total: 50, deontology: 6 };

  it('adds cases rounded on their own (CUM-01)', () => {
    const sum = cumulativeReduction([splitReduction(6), splitReduction(3)], { policy: PROFILES.national, obligation: full });
    expect(sum).toMatchObject({ reduction: 9, deontology: 1, ordinary: 8, capped: false, obligation: { total: 41, deontology: 5 } });
  });

  it('lets the national profile reach zero and caps RC/BA at 49 (CUM-02/03)', () => {
    expect(cumulativeReduction([splitReduction(50)], { policy: PROFILES.national, obligation: full })).toMatchObject({
      reduction: 50,
      obligation: { total: 0, deontology: 0 },
    });
    for (const p of [PROFILES.RC, PROFILES.BA]) {
      expect(cumulativeReduction([splitReduction(25), splitReduction(25)], { policy: p, obligation: full })).toEqual({
        reduction: 49,
        deontology: 6,
        ordinary: 43,
        capped: true,
        uncapped: { reduction: 50, deontology: 6, ordinary: 44 },
        obligation: { total: 1, deontology: 0 },
      });
    }
  });

  it('takes the ceiling cut from the ordinary part, deontology never above the ceiling', () => {
    const p = resolvePolicy('national', { reductionCeiling: 4 });
    expect(cumulativeReduction([splitReduction(25), splitReduction(25)], { policy: p, obligation: full })).toMatchObject({
      reduction: 4,
      deontology: 4,
      ordinary: 0,
    });
  });

  it('never leaves a deontology obligation above the total (R-OBL-1)', () => {
    const twelveSmall = Array.from({ length: 12 }, () => splitReduction(4)); // 0.48 → 0 deontology each
    expect(cumulativeReduction(twelveSmall, { policy: PROFILES.national, obligation: full }).obligation).toEqual({ total: 2, deontology: 2 });
  });

  it('never takes the obligation below 0 (pro-rated 44/5)', () => {
    expect(cumulativeReduction([splitReduction(50)], { policy: PROFILES.RC, obligation: { total: 44, deontology: 5 } }).obligation).toEqual({
      total: 0,
      deontology: 0,
    });
  });

  it('is 0 for no case', () => {
    expect(cumulativeReduction([], { policy: PROFILES.national, obligation: full })).toMatchObject({ reduction: 0, capped: false, obligation: full });
  });

  it('throws for malformed amounts', () => {
    expect(() => cumulativeReduction([{ reduction: 6, deontology: 2, ordinary: 5 }], { policy: PROFILES.national, obligation: full })).toThrow(RangeError);
    expect(() => cumulativeReduction([{ reduction: -1, deontology: 0, ordinary: -1 }], { policy: PROFILES.national, obligation: full })).toThrow(RangeError);
  });

  it('keeps its invariants for any amounts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 8 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 6 }),
        (rs, ceiling, total, deontology) => {
          const sum = cumulativeReduction(rs.map(splitReduction), { policy: { reductionCeiling: ceiling }, obligation: { total, deontology } });
          expect(sum.reduction).toBe(
            Math.min(
              ceiling,
              rs.reduce((a, b) => a + b, 0),
            ),
          );
          expect(sum.deontology + sum.ordinary).toBe(sum.reduction);
          expect(sum.deontology).toBeGreaterThanOrEqual(0);
          expect(sum.ordinary).toBeGreaterThanOrEqual(0);
          expect(sum.obligation.total).toBe(Math.max(0, total - sum.reduction));
          expect(sum.obligation.deontology).toBeGreaterThanOrEqual(0);
          expect(sum.obligation.deontology).toBeLessThanOrEqual(sum.obligation.total);
        },
      ),
    );
  });
});

describe('filingDeadline (R-RED-8)', () => {
  const at = (policy: { filingWindow: 'national' | 'RC' | 'BA' }, from: string, to: string | null, filedOn = '2025-01-01', biennium = 2025) =>
    filingDeadline({ biennium, filedOn, period: { from, to } }, policy);

  it('national: 30 days from the cause', () => {
    expect(at(PROFILES.national, '2026-03-01', '2026-05-31')).toMatchObject({ deadline: '2026-03-31', rule: 'national-30-days-from-cause' });
    expect(at(PROFILES.national, '2026-12-20', '2027-02-10')).toMatchObject({ deadline: '2027-01-19' });
  });

  it('national: a cause begun in the previous biennium occurs for this one on 1 January', () => {
    expect(at(PROFILES.national, '2024-11-01', '2025-03-31')).toMatchObject({ deadline: '2025-01-31' });
  });

  it('RC: 30 days from the end, by 31 October', () => {
    expect(at(PROFILES.RC, '2026-03-01', '2026-05-31')).toMatchObject({ deadline: '2026-06-30', rule: 'rc-30-days-from-end-by-31-october' });
    expect(at(PROFILES.RC, '2026-09-15', '2026-10-20')).toMatchObject({ deadline: '2026-10-31', rule: 'rc-30-days-from-end-by-31-october' });
  });

  it('RC: 30 days from the start for events across years or after 31 October', () => {
    expect(at(PROFILES.RC, '2025-12-10', '2026-02-10')).toMatchObject({ deadline: '2026-01-09', rule: 'rc-30-days-from-start' });
    expect(at(PROFILES.RC, '2026-11-05', '2026-11-30')).toMatchObject({ deadline: '2026-12-05', rule: 'rc-30-days-from-start' });
    expect(at(PROFILES.RC, '2026-09-01', '2026-11-15')).toMatchObject({ deadline: '2026-10-01', rule: 'rc-30-days-from-start' });
  });

  it('BA: by 31 October and within 30 days of the end', () => {
    expect(at(PROFILES.BA, '2026-03-01', '2026-05-31')).toMatchObject({ deadline: '2026-06-30', rule: 'ba-30-days-from-end-by-31-october' });
    expect(at(PROFILES.BA, '2026-09-15', '2026-10-20')).toMatchObject({ deadline: '2026-10-31', rule: 'ba-30-days-from-end-by-31-october' });
  });

  it('BA: events from 1 October or across years: 30 days from the end, by 31 October of the next year', () => {
    expect(at(PROFILES.BA, '2026-10-05', '2026-10-20')).toMatchObject({ deadline: '2026-11-19', rule: 'ba-30-days-from-end-by-31-october-next-year' });
    expect(at(PROFILES.BA, '2025-12-10', '2026-02-10')).toMatchObject({ deadline: '2026-03-12', rule: 'ba-30-days-from-end-by-31-october-next-year' });
    expect(at(PROFILES.BA, '2025-03-01', '2026-12-31')).toMatchObject({ deadline: '2026-10-31', rule: 'ba-30-days-from-end-by-31-october-next-year' });
    expect(at(PROFILES.BA, '2026-09-01', '2026-11-15')).toMatchObject({ deadline: '2026-12-15' });
  });

  it('counts from an event date when given (70th birthday, birth, certificate)', () => {
    const f = (policy: { filingWindow: 'national' | 'RC' | 'BA' }, eventDate: string) =>
      filingDeadline({ biennium: 2025, filedOn: '2026-07-01', period: { from: '2026-06-01', to: null }, eventDate }, policy);
    expect(f(PROFILES.RC, '2026-06-10')).toMatchObject({ deadline: '2026-07-10', onTime: true });
    expect(f(PROFILES.BA, '2026-10-15')).toMatchObject({ deadline: '2026-11-14' });
    expect(f(PROFILES.national, '2024-03-01')).toMatchObject({ deadline: '2025-01-31' });
  });

  it('is on time through the deadline day, late the day after', () => {
    expect(at(PROFILES.RC, '2026-03-01', '2026-05-31', '2026-06-30')).toEqual({
      deadline: '2026-06-30',
      onTime: true,
      rule: 'rc-30-days-from-end-by-31-october',
    });
    expect(at(PROFILES.RC, '2026-03-01', '2026-05-31', '2026-07-01')).toEqual({
      deadline: '2026-06-30',
      onTime: false,
      rule: 'rc-30-days-from-end-by-31-october',
      reason: 'late-filing',
    });
  });

  it('throws for a period outside the biennium or malformed dates', () => {
    expect(() => at(PROFILES.national, '2023-03-01', '2023-05-31')).toThrow(RangeError);
    expect(() => at(PROFILES.national, '2026-05-31', '2026-03-01')).toThrow(RangeError);
    expect(() => at(PROFILES.national, '2026-03-01', '2026-05-31', '01/06/2026')).toThrow(RangeError);
  });

  it('never falls before the start nor more than 30 days after the end (in the biennium)', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 0, max: 400 }), fc.constantFrom(PROFILES.national, PROFILES.RC, PROFILES.BA), (from, length, policy) => {
        const to = addDays(from, length);
        if (to < '2025-01-01' || from > '2026-12-31') return;
        const d = at(policy, from, to).deadline;
        const start = from < '2025-01-01' ? '2025-01-01' : from;
        const end = to > '2026-12-31' ? '2026-12-31' : to;
        expect(d >= start).toBe(true);
        // Every window is 30 days from the start or from the end, some cut by a 31 January or 31 October.
        expect(d <= addDays(end, 30)).toBe(true);
      }),
    );
  });
});

describe('lateFilingAcceptable (R-RED-8, BA FAQ)', () => {
  const base = { biennium: 2025, counted: { total: 30, deontology: 4 }, reducedObligation: { total: 40, deontology: 5 }, debtMaximum: 12 };

  it('accepts when nothing is missing under the reduced obligation, at any time', () => {
    expect(lateFilingAcceptable({ ...base, filedOn: '2027-09-01', counted: { total: 40, deontology: 5 } })).toEqual({
      acceptable: true,
      shortfall: { total: 0, deontology: 0 },
      rule: 'obligation-met',
    });
  });

  it('accepts while the biennium runs', () => {
    expect(lateFilingAcceptable({ ...base, filedOn: '2026-12-31' })).toMatchObject({
      acceptable: true,
      rule: 'biennium-running',
      shortfall: { total: 10, deontology: 1 },
    });
  });

  it('accepts by 28 February when the shortfall can be recovered as debt (R-DEBT-1/2)', () => {
    expect(lateFilingAcceptable({ ...base, filedOn: '2027-02-28' })).toMatchObject({ acceptable: true, rule: 'recoverable-as-debt' });
    expect(lateFilingAcceptable({ ...base, filedOn: '2027-02-28', debtMaximum: 9 })).toMatchObject({ acceptable: false, reason: 'late-filing' });
    expect(lateFilingAcceptable({ ...base, filedOn: '2027-03-01' })).toMatchObject({ acceptable: false, rule: 'not-recoverable', reason: 'late-filing' });
  });

  it('accepts by 30 June when an accepted debt covers the shortfall (R-DEBT-3)', () => {
    const acceptedDebt = { total: 10, deontology: 1 };
    expect(lateFilingAcceptable({ ...base, filedOn: '2027-06-30', acceptedDebt })).toMatchObject({ acceptable: true, rule: 'covered-by-accepted-debt' });
    expect(lateFilingAcceptable({ ...base, filedOn: '2027-07-01', acceptedDebt })).toMatchObject({ acceptable: false });
    expect(lateFilingAcceptable({ ...base, filedOn: '2027-06-30', acceptedDebt: { total: 10, deontology: 0 } })).toMatchObject({ acceptable: false });
  });

  it('throws for malformed numbers or dates', () => {
    expect(() => lateFilingAcceptable({ ...base, filedOn: '2027-02-30' })).toThrow(RangeError);
    expect(() => lateFilingAcceptable({ ...base, filedOn: '2027-02-01', debtMaximum: -1 })).toThrow(RangeError);
  });
});

describe('procedure deadlines (R-RED-7, R-CAL-3 on dates)', () => {
  it('decides within decisionDays of the filing: RC 30, BA 45', () => {
    expect(decisionDeadline({ filedOn: '2026-03-02' }, PROFILES.RC)).toBe('2026-04-01');
    expect(decisionDeadline({ filedOn: '2026-03-02' }, PROFILES.BA)).toBe('2026-04-16');
  });

  it('extends the term by preDenialDays after a pre-denial', () => {
    expect(decisionDeadline({ filedOn: '2026-03-02', preDenialOn: '2026-03-10' }, PROFILES.RC)).toBe('2026-04-11');
    expect(decisionDeadline({ filedOn: '2026-03-02', preDenialOn: '2026-03-10' }, PROFILES.BA)).toBe('2026-04-26');
    expect(decisionDeadline({ filedOn: '2026-03-02', preDenialOn: null }, PROFILES.BA)).toBe('2026-04-16');
  });

  it('starts from the acknowledgement when the filing date is not given', () => {
    expect(decisionDeadline({ acknowledgedOn: '2026-12-15' }, PROFILES.RC)).toBe('2027-01-14');
  });

  it('throws without a start or with a pre-denial before it', () => {
    expect(() => decisionDeadline({}, PROFILES.RC)).toThrow(RangeError);
    expect(() => decisionDeadline({ filedOn: '2026-03-02', preDenialOn: '2026-03-01' }, PROFILES.RC)).toThrow(RangeError);
  });

  it('gives 10 days to integrate and 30 to appeal', () => {
    expect(integrationDeadline('2026-03-10', PROFILES.BA)).toBe('2026-03-20');
    expect(appealDeadline('2026-04-01', PROFILES.RC)).toBe('2026-05-01');
    expect(appealDeadline('2026-02-01', PROFILES.national)).toBe('2026-03-03');
    expect(() => appealDeadline('2026-13-01', PROFILES.national)).toThrow(RangeError);
  });
});

describe('reductionStateMachine (R-RED-7)', () => {
  const allowed: [string, string, string][] = [
    ['filed', 'acknowledge', 'acknowledged'],
    ['acknowledged', 'pre-deny', 'pre-denied'],
    ['acknowledged', 'approve', 'approved'],
    ['acknowledged', 'deny', 'denied'],
    ['pre-denied', 'integrate', 'integrated'],
    ['pre-denied', 'deny', 'denied'],
    ['integrated', 'approve', 'approved'],
    ['integrated', 'deny', 'denied'],
    ['approved', 'appeal', 'appealed'],
    ['denied', 'appeal', 'appealed'],
  ];

  it('allows exactly the listed transitions', () => {
    for (const state of REDUCTION_STATES) {
      for (const action of REDUCTION_ACTIONS) {
        const hit = allowed.find(([s, a]) => s === state && a === action);
        expect(nextState(state, action), `${state} --${action}-->`).toEqual(hit ? { ok: true, state: hit[2] } : { ok: false, error: 'invalid-transition' });
      }
    }
    expect(Object.values(REDUCTION_TRANSITIONS).flatMap((row) => Object.keys(row))).toHaveLength(allowed.length);
  });

  it('refuses unknown states and actions', () => {
    expect(nextState('draft' as never, 'approve')).toEqual({ ok: false, error: 'invalid-transition' });
    expect(nextState('filed', 'toString' as never)).toEqual({ ok: false, error: 'invalid-transition' });
  });

  it('checks the appeal and integration windows when timing is given', () => {
    const policy = PROFILES.BA;
    expect(nextState('denied', 'appeal', { on: '2026-05-01', since: '2026-04-01', policy })).toEqual({ ok: true, state: 'appealed' });
    expect(nextState('denied', 'appeal', { on: '2026-05-02', since: '2026-04-01', policy })).toEqual({ ok: false, error: 'out-of-time' });
    expect(nextState('pre-denied', 'integrate', { on: '2026-03-20', since: '2026-03-10', policy })).toEqual({ ok: true, state: 'integrated' });
    expect(nextState('pre-denied', 'integrate', { on: '2026-03-21', since: '2026-03-10', policy })).toEqual({ ok: false, error: 'out-of-time' });
    expect(nextState('filed', 'appeal', { on: '2026-03-21', since: '2026-03-10', policy })).toEqual({ ok: false, error: 'invalid-transition' });
  });

  it('bundles states, actions, table and step', () => {
    expect(reductionStateMachine.initial).toBe('filed');
    expect(reductionStateMachine.states).toBe(REDUCTION_STATES);
    expect(reductionStateMachine.nextState('filed', 'acknowledge')).toEqual({ ok: true, state: 'acknowledged' });
  });
});
