/** @module Unit tests of the province/region table and the webinar audience rule (R-EVT-4, R-ATT-8). */
import { describe, expect, it } from 'vitest';
import { PROVINCES, REGIONS, inAudience, isProvinceCode, provinceByCode, regionOf, sameRegion, type Region } from '../../src/domain/provinces.ts';

/** Provinces per region in the ISTAT list of 107 (2017–2025). */
const EXPECTED_COUNTS: Record<Region, number> = {
  Piemonte: 8,
  "Valle d'Aosta/Vallée d'Aoste": 1,
  Lombardia: 12,
  'Trentino-Alto Adige/Südtirol': 2,
  Veneto: 7,
  'Friuli-Venezia Giulia': 4,
  Liguria: 4,
  'Emilia-Romagna': 9,
  Toscana: 10,
  Umbria: 2,
  Marche: 5,
  Lazio: 5,
  Abruzzo: 4,
  Molise: 2,
  Campania: 5,
  Puglia: 6,
  Basilicata: 2,
  Calabria: 5,
  Sicilia: 9,
  Sardegna: 5,
};

describe('PROVINCES', () => {
  it('holds exactly 107 entries with unique two-letter upper-case codes and unique names', () => {
    expect(PROVINCES).toHaveLength(107);
    const codes = PROVINCES.map((p) => p.code);
    expect(new Set(codes).size).toBe(107);
    for (const c of codes) expect(c).toMatch(/^[A-Z]{2}$/);
    expect(new Set(PROVINCES.map((p) => p.name)).size).toBe(107);
  });

  it('covers exactly the 20 regions', () => {
    expect(REGIONS).toHaveLength(20);
    expect(new Set(PROVINCES.map((p) => p.region))).toEqual(new Set(REGIONS));
  });

  it('has the expected number of provinces in every region', () => {
    expect(Object.values(EXPECTED_COUNTS).reduce((a, b) => a + b, 0)).toBe(107);
    const counts: Record<string, number> = {};
    for (const p of PROVINCES) counts[p.region] = (counts[p.region] ?? 0) + 1;
    expect(counts).toEqual(EXPECTED_COUNTS);
  });

  it('includes Sud Sardegna and not the abolished Sardinian provinces', () => {
    expect(provinceByCode('SU')).toEqual({ code: 'SU', name: 'Sud Sardegna', region: 'Sardegna' });
    for (const gone of ['CI', 'VS', 'OG', 'OT']) expect(isProvinceCode(gone), gone).toBe(false);
  });

  it('uses the plate codes of the newer provinces and the special statutes', () => {
    const expected: Array<[string, Region]> = [
      ['RM', 'Lazio'],
      ['MI', 'Lombardia'],
      ['MB', 'Lombardia'],
      ['FC', 'Emilia-Romagna'],
      ['PU', 'Marche'],
      ['FM', 'Marche'],
      ['VB', 'Piemonte'],
      ['BT', 'Puglia'],
      ['AO', "Valle d'Aosta/Vallée d'Aoste"],
      ['BZ', 'Trentino-Alto Adige/Südtirol'],
      ['TN', 'Trentino-Alto Adige/Südtirol'],
      ['PN', 'Friuli-Venezia Giulia'],
      ['KR', 'Calabria'],
      ['VV', 'Calabria'],
    ];
    for (const [code, region] of expected) expect(regionOf(code), code).toBe(region);
  });
});

describe('lookups', () => {
  it('finds a province case-insensitively', () => {
    expect(provinceByCode('rm')).toEqual({ code: 'RM', name: 'Roma', region: 'Lazio' });
    expect(isProvinceCode('fc')).toBe(true);
  });

  it('returns undefined / false for unknown codes', () => {
    expect(provinceByCode('XX')).toBeUndefined();
    expect(regionOf('XX')).toBeUndefined();
    expect(isProvinceCode('')).toBe(false);
    expect(isProvinceCode('ROM')).toBe(false);
  });

  it('tells whether two provinces share a region', () => {
    expect(sameRegion('MI', 'BG')).toBe(true);
    expect(sameRegion('BZ', 'TN')).toBe(true);
    expect(sameRegion('MI', 'RM')).toBe(false);
    expect(sameRegion('XX', 'XX')).toBe(false); // unknown codes never match
    expect(sameRegion('MI', 'XX')).toBe(false);
  });
});

describe('inAudience (R-EVT-4, R-ATT-8)', () => {
  it('admits members of the CPO province, region-wide or not', () => {
    expect(inAudience({ memberProvince: 'RC', cpoProvince: 'RC', regionWide: false })).toBe(true);
    expect(inAudience({ memberProvince: 'rc', cpoProvince: 'RC', regionWide: true })).toBe(true);
  });

  it('admits other provinces of the region only when the webinar is region-wide', () => {
    expect(inAudience({ memberProvince: 'CS', cpoProvince: 'RC', regionWide: false })).toBe(false);
    expect(inAudience({ memberProvince: 'CS', cpoProvince: 'RC', regionWide: true })).toBe(true);
  });

  it('never admits members of another region', () => {
    expect(inAudience({ memberProvince: 'BA', cpoProvince: 'RC', regionWide: false })).toBe(false);
    expect(inAudience({ memberProvince: 'BA', cpoProvince: 'RC', regionWide: true })).toBe(false);
  });

  it('never admits a member with an unknown province', () => {
    expect(inAudience({ memberProvince: 'CI', cpoProvince: 'CA', regionWide: true })).toBe(false);
  });

  it('refuses an unknown CPO province as a data error', () => {
    expect(() => inAudience({ memberProvince: 'CA', cpoProvince: 'OT', regionWide: true })).toThrow(RangeError);
  });
});
