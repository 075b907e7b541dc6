/** Distance pct of a biennium: the highest grant in force, grants following transfers (R-FAD-2/3/4). */
import { describe, expect, it } from 'vitest';
import { distancePctFor, provinceStays, type Grant } from '../../src/domain/grants.ts';

const grant = (g: Partial<Grant> & Pick<Grant, 'scope' | 'pct'>): Grant => ({
  id: `${g.scope}-${g.pct}`,
  province: null,
  validFrom: '2025-01-01',
  validUntil: '2026-12-31',
  namesMember: false,
  deliberation: 'Delibera 1/2025',
  ...g,
});
const inMI = provinceStays('MI', []);

describe('provinceStays', () => {
  it('without transfers: always in the current province', () => {
    expect(inMI).toEqual([{ province: 'MI', from: '0000-01-01', until: null }]);
  });

  it('each transfer closes a stay the day before it', () => {
    expect(
      provinceStays('RM', [
        { fromProvince: 'BG', toProvince: 'RM', on: '2026-06-01' },
        { fromProvince: 'MI', toProvince: 'BG', on: '2025-03-01' },
      ]),
    ).toEqual([
      { province: 'MI', from: '0000-01-01', until: '2025-02-28' },
      { province: 'BG', from: '2025-03-01', until: '2026-05-31' },
      { province: 'RM', from: '2026-06-01', until: null },
    ]);
  });
});

describe('distancePctFor (R-FAD-3)', () => {
  it('is the base pct with no grant (R-FAD-2)', () => {
    expect(distancePctFor({ biennium: 2025, basePct: 40, grants: [], stays: inMI })).toMatchObject({ pct: 40, grant: null });
  });

  it('the highest grant in force wins; a grant below the base never lowers it', () => {
    const grants = [
      grant({ scope: 'national', pct: 50 }),
      grant({ scope: 'member', pct: 60, namesMember: true, province: 'MI' }),
      grant({ scope: 'national', pct: 30, id: 'low' }),
    ];
    const d = distancePctFor({ biennium: 2025, basePct: 40, grants, stays: inMI });
    expect(d.pct).toBe(60);
    expect(d.grant?.scope).toBe('member');
    expect(d.applicable.map((g) => g.pct)).toEqual([60, 50, 30]);
    expect(distancePctFor({ biennium: 2025, basePct: 40, grants: [grant({ scope: 'national', pct: 30 })], stays: inMI })).toMatchObject({
      pct: 40,
      grant: null,
    });
  });

  it('a grant valid on any day of the biennium lifts its cap; one outside it does not', () => {
    const lastDay = grant({ scope: 'national', pct: 70, validFrom: '2026-12-31', validUntil: '2027-03-31' });
    expect(distancePctFor({ biennium: 2025, basePct: 40, grants: [lastDay], stays: inMI }).pct).toBe(70);
    expect(distancePctFor({ biennium: 2027, basePct: 40, grants: [lastDay], stays: inMI }).pct).toBe(70);
    expect(distancePctFor({ biennium: 2023, basePct: 40, grants: [lastDay], stays: inMI }).pct).toBe(40);
  });

  it('member and group grants apply only to the members they name', () => {
    expect(
      distancePctFor({ biennium: 2025, basePct: 40, grants: [grant({ scope: 'group', pct: 80, province: 'MI', namesMember: false })], stays: inMI }).pct,
    ).toBe(40);
    expect(
      distancePctFor({ biennium: 2025, basePct: 40, grants: [grant({ scope: 'group', pct: 80, province: 'MI', namesMember: true })], stays: inMI }).pct,
    ).toBe(80);
  });

  it('a province grant applies to members registered there during its validity in the biennium', () => {
    const mi = grant({ scope: 'province', pct: 60, province: 'MI', validFrom: '2026-01-01', validUntil: '2026-12-31' });
    expect(distancePctFor({ biennium: 2025, basePct: 40, grants: [mi], stays: inMI }).pct).toBe(60);
    // Left MI before the grant started: not covered.
    const leftEarly = provinceStays('RM', [{ fromProvince: 'MI', toProvince: 'RM', on: '2025-06-01' }]);
    expect(distancePctFor({ biennium: 2025, basePct: 40, grants: [mi], stays: leftEarly }).pct).toBe(40);
    // Arrived in MI during the grant: covered.
    const arrived = provinceStays('MI', [{ fromProvince: 'RM', toProvince: 'MI', on: '2026-09-01' }]);
    expect(distancePctFor({ biennium: 2025, basePct: 40, grants: [mi], stays: arrived }).pct).toBe(60);
  });

  it('a transferred member keeps a CPO grant until the end of that biennium, not into the next (R-FAD-4)', () => {
    const long = grant({ scope: 'member', pct: 100, province: 'MI', namesMember: true, validFrom: '2025-01-01', validUntil: '2028-12-31' });
    const moved = provinceStays('RM', [{ fromProvince: 'MI', toProvince: 'RM', on: '2026-06-01' }]);
    expect(distancePctFor({ biennium: 2025, basePct: 40, grants: [long], stays: moved }).pct).toBe(100);
    expect(distancePctFor({ biennium: 2027, basePct: 40, grants: [long], stays: moved }).pct).toBe(40);
    // A CN grant to the member (no province) goes wherever the member is.
    const cn = { ...long, province: null };
    expect(distancePctFor({ biennium: 2027, basePct: 40, grants: [cn], stays: moved }).pct).toBe(100);
  });
});
