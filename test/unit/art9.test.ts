/** @module Unit tests of the art. 9 table (R-ART9-2). */
import { describe, expect, it } from 'vitest';
import { ART9_ACTIVITIES, ART9_TABLE, art9Credits, isArt9Activity } from '../../src/domain/art9.ts';

describe('ART9_TABLE (R-ART9-2)', () => {
  it('has one row per code, each with an Italian label', () => {
    expect(Object.keys(ART9_TABLE).sort()).toEqual([...ART9_ACTIVITIES].sort());
    for (const code of ART9_ACTIVITIES) expect(ART9_TABLE[code].label.length).toBeGreaterThan(3);
  });

  it('holds the values of the rule', () => {
    const values = Object.fromEntries(ART9_ACTIVITIES.map((c) => [c, [ART9_TABLE[c].unit, ART9_TABLE[c].credits]]));
    expect(values).toEqual({
      a: ['hour', 2],
      b: ['hour', 2],
      c: ['item', 5],
      d: ['item', 10],
      e: ['item', 2],
      'f-commission': ['session', 10],
      'f-dominus': ['semester', 10],
      g: ['item', 6],
      h: ['item', 20],
      i: ['hour', 1],
      l: ['hour', 1],
      'l-discipline': ['hour', 1],
      m: ['hour', 1],
      n: ['meeting', 2],
      o: ['meeting', 2],
      p: ['item', 20],
      q: ['item', 6],
      asseco: ['item', 4],
    });
  });

  it('declares the limits applied across declarations: discipline councils deontology 3/year 6/biennium, dominus 10/biennium', () => {
    expect(ART9_TABLE['l-discipline']).toMatchObject({ deontology: true, maxPerYear: 3, maxPerBiennium: 6 });
    expect(ART9_TABLE['f-dominus']).toMatchObject({ perSemester: [3, 3, 4], maxPerBiennium: 10 });
    const limited = ART9_ACTIVITIES.filter((c) => ART9_TABLE[c].maxPerYear !== undefined || ART9_TABLE[c].maxPerBiennium !== undefined);
    expect(limited.sort()).toEqual(['f-dominus', 'l-discipline']);
    expect(ART9_ACTIVITIES.filter((c) => ART9_TABLE[c].deontology)).toEqual(['l-discipline']);
  });
});

describe('art9Credits (R-ART9-2)', () => {
  it('multiplies the quantity by the credits per unit', () => {
    expect(art9Credits('a', 12)).toBe(24); // BAL-04
    expect(art9Credits('b', 3)).toBe(6);
    expect(art9Credits('c', 2)).toBe(10);
    expect(art9Credits('d', 1)).toBe(10);
    expect(art9Credits('e', 3)).toBe(6);
    expect(art9Credits('f-commission', 2)).toBe(20);
    expect(art9Credits('g', 1)).toBe(6);
    expect(art9Credits('h', 1)).toBe(20); // BAL-04
    expect(art9Credits('i', 4)).toBe(4);
    expect(art9Credits('l', 5)).toBe(5);
    expect(art9Credits('l-discipline', 5)).toBe(5); // the 3/6 limits apply across items, in the balance
    expect(art9Credits('m', 7)).toBe(7);
    expect(art9Credits('n', 3)).toBe(6);
    expect(art9Credits('o', 1)).toBe(2);
    expect(art9Credits('p', 1)).toBe(20);
    expect(art9Credits('q', 1)).toBe(6);
    expect(art9Credits('asseco', 1)).toBe(4);
    expect(art9Credits('a', 0)).toBe(0);
  });

  it('pays a dominus per completed semester, 3 + 3 + 4, at most 10', () => {
    expect([0, 1, 2, 3, 4, 6].map((s) => art9Credits('f-dominus', s))).toEqual([0, 3, 6, 10, 10, 10]);
  });

  it('refuses an unknown activity or a quantity that is not a whole number ≥ 0', () => {
    expect(() => art9Credits('z', 1)).toThrow(RangeError);
    expect(() => art9Credits('toString', 1)).toThrow(RangeError);
    expect(() => art9Credits('a', -1)).toThrow(RangeError);
    expect(() => art9Credits('a', 1.5)).toThrow(RangeError);
    expect(isArt9Activity('asseco')).toBe(true);
    expect(isArt9Activity('constructor')).toBe(false);
  });
});
