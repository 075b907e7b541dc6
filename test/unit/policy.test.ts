/** @module Unit tests of the policy profiles and their overrides (R-POL-1). */
import { describe, expect, it } from 'vitest';
import { POLICY_PARAMETERS, PROFILES, PROFILE_NAMES, debtMaximumOf, resolvePolicy, type Policy } from '../../src/domain/policy.ts';

describe('PROFILES (R-POL-1)', () => {
  it('holds the national profile of the rule book', () => {
    expect(PROFILES.national).toEqual({
      profile: 'national',
      toleranceDefaultMinutes: 30, // R-ATT-2
      toleranceMaxMinutes: 60,
      distancePct: 40, // R-FAD-2
      debtMaximumDefault: 12, // R-DEBT-1
      debtMaximum: { '2023': 9 },
      reductionCeiling: 50, // R-RED-5
      maternityMonthsBefore: 2, // R-RED-2, art. 27 c.4
      decisionDays: 30, // R-RED-7
      preDenialDays: 10,
      appealDays: 30,
      filingWindow: 'national', // R-RED-8
      fractionTolerance: 'pro-rata-floor', // R-ATT-5
    });
  });

  it('RC and BA differ where their vademecums do (R-RED-2/5/7/8)', () => {
    expect(PROFILES.RC).toMatchObject({ profile: 'RC', reductionCeiling: 49, maternityMonthsBefore: 3, decisionDays: 30, filingWindow: 'RC' });
    expect(PROFILES.BA).toMatchObject({ profile: 'BA', reductionCeiling: 49, maternityMonthsBefore: 3, decisionDays: 45, filingWindow: 'BA' });
    for (const p of ['RC', 'BA'] as const) {
      expect(PROFILES[p]).toMatchObject({ toleranceDefaultMinutes: 30, toleranceMaxMinutes: 60, distancePct: 40, preDenialDays: 10, appealDays: 30 });
    }
  });

  it('has one profile per name, named after its key', () => {
    expect(Object.keys(PROFILES).sort()).toEqual([...PROFILE_NAMES].sort());
    for (const name of PROFILE_NAMES) expect(PROFILES[name].profile).toBe(name);
  });

  it('is frozen, nested records included', () => {
    expect(Object.isFrozen(PROFILES.national)).toBe(true);
    expect(Object.isFrozen(PROFILES.BA.debtMaximum)).toBe(true);
    expect(() => {
      (PROFILES.national as Policy).reductionCeiling = 1;
    }).toThrow(TypeError);
  });

  it('lists the overridable parameters, without profile and appealDays', () => {
    expect(POLICY_PARAMETERS).toContain('reductionCeiling');
    expect(POLICY_PARAMETERS).toContain('filingWindow');
    expect(POLICY_PARAMETERS).not.toContain('profile');
    expect(POLICY_PARAMETERS).not.toContain('appealDays');
  });
});

describe('resolvePolicy (R-POL-1)', () => {
  it('returns the profile itself without overrides, as a fresh object', () => {
    const p = resolvePolicy('BA', {});
    expect(p).toEqual(PROFILES.BA);
    expect(p).not.toBe(PROFILES.BA);
    expect(p.debtMaximum).not.toBe(PROFILES.BA.debtMaximum);
    p.debtMaximum['2025'] = 1;
    expect(PROFILES.BA.debtMaximum).toEqual({ '2023': 9 });
  });

  it('applies valid overrides', () => {
    const p = resolvePolicy('national', { reductionCeiling: 49, maternityMonthsBefore: 3, decisionDays: 45, filingWindow: 'BA', toleranceDefaultMinutes: 45 });
    expect(p).toMatchObject({
      profile: 'national',
      reductionCeiling: 49,
      maternityMonthsBefore: 3,
      decisionDays: 45,
      filingWindow: 'BA',
      toleranceDefaultMinutes: 45,
    });
  });

  it('merges debtMaximum entries over the profile', () => {
    expect(resolvePolicy('national', { debtMaximum: { '2025': 10 } }).debtMaximum).toEqual({ '2023': 9, '2025': 10 });
    expect(resolvePolicy('national', { debtMaximum: { '2023': 12 } }).debtMaximum).toEqual({ '2023': 12 });
  });

  it('ignores undefined values', () => {
    expect(resolvePolicy('RC', { reductionCeiling: undefined })).toEqual(PROFILES.RC);
  });

  it('accepts the bounds of each range', () => {
    expect(resolvePolicy('national', { toleranceMaxMinutes: 60, toleranceDefaultMinutes: 60 }).toleranceDefaultMinutes).toBe(60);
    expect(resolvePolicy('national', { reductionCeiling: 0 }).reductionCeiling).toBe(0);
    expect(resolvePolicy('national', { reductionCeiling: 50 }).reductionCeiling).toBe(50);
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['tolerance max above 60', { toleranceMaxMinutes: 61 }, /toleranceMaxMinutes.*0 to 60/],
    ['default tolerance above the maximum', { toleranceMaxMinutes: 40, toleranceDefaultMinutes: 45 }, /must not exceed/],
    ['negative tolerance', { toleranceDefaultMinutes: -1 }, /toleranceDefaultMinutes/],
    // R-FAD-3: a CPO raises the distance pct by grants (dated, with an alert to the CN), never by policy.
    ['the distance pct', { distancePct: 100 }, /distancePct.*cannot be overridden/],
    ['ceiling above 50', { reductionCeiling: 51 }, /reductionCeiling.*0 to 50/],
    ['ceiling as text', { reductionCeiling: '49' }, /reductionCeiling/],
    ['maternity window of 13 months', { maternityMonthsBefore: 13 }, /maternityMonthsBefore/],
    ['zero decision days', { decisionDays: 0 }, /decisionDays/],
    ['pre-denial days 91', { preDenialDays: 91 }, /preDenialDays/],
    ['debt maximum default 51', { debtMaximumDefault: 51 }, /debtMaximumDefault/],
    ['debt maximum for an even year', { debtMaximum: { '2024': 9 } }, /odd years/],
    ['debt maximum not an object', { debtMaximum: 9 }, /debtMaximum/],
    ['debt maximum entry out of range', { debtMaximum: { '2025': 60 } }, /debtMaximum\.2025/],
    ['unknown filing window', { filingWindow: 'MI' }, /filingWindow/],
    ['unknown fraction method', { fractionTolerance: 'round' }, /fractionTolerance/],
    ['unknown parameter', { colour: 'red' }, /"colour" cannot be overridden/],
    ['the profile itself', { profile: 'BA' }, /"profile" cannot be overridden/],
    ['the appeal term', { appealDays: 60 }, /"appealDays" cannot be overridden/],
  ];
  it.each(bad)('throws RangeError for %s', (_what, overrides, message) => {
    expect(() => resolvePolicy('national', overrides as Partial<Policy>)).toThrow(RangeError);
    expect(() => resolvePolicy('national', overrides as Partial<Policy>)).toThrow(message);
  });

  it('throws RangeError for an unknown profile or non-object overrides', () => {
    expect(() => resolvePolicy('MI' as never, {})).toThrow(/unknown policy profile/);
    expect(() => resolvePolicy('national', null as never)).toThrow(RangeError);
    expect(() => resolvePolicy('national', [] as never)).toThrow(RangeError);
  });
});

describe('debtMaximumOf (R-DEBT-1)', () => {
  it('takes the biennium entry, else the default', () => {
    expect(debtMaximumOf(PROFILES.national, 2023)).toBe(9);
    expect(debtMaximumOf(PROFILES.national, 2025)).toBe(12);
    expect(debtMaximumOf(resolvePolicy('RC', { debtMaximumDefault: 10 }), 2027)).toBe(10);
  });
});
