/** @module Unit tests of exact rational rounding (R-CAL-4). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRational, roundRational } from '../../src/domain/rational.ts';

/** Independent reference: floor((2|n| + d) / 2d) is "half up" on magnitudes, sign restored after. */
function reference(num: bigint, den: bigint): bigint {
  const sign = num < 0n !== den < 0n ? -1n : 1n;
  const n = num < 0n ? -num : num;
  const d = den < 0n ? -den : den;
  return sign * ((2n * n + d) / (2n * d));
}

const nonZero = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).filter((d) => d !== 0n);

describe('roundRational (R-CAL-4)', () => {
  it('rounds the rule example 50 × 12 × 30 / (24 × 100) = 7.5 up to 8', () => {
    expect(roundRational(50 * 12 * 30, 24 * 100)).toBe(8);
    expect(roundRational(18000n, 2400n)).toBe(8);
  });

  it('rounds fractions ≥ 0.5 up and smaller ones down', () => {
    expect(roundRational(1, 2)).toBe(1);
    expect(roundRational(25, 4)).toBe(6); // 6.25
    expect(roundRational(175, 4)).toBe(44); // 43.75
    expect(roundRational(49, 100)).toBe(0);
    expect(roundRational(2399, 4800)).toBe(0); // just under 0.5
    expect(roundRational(2400, 4800)).toBe(1); // exactly 0.5
    expect(roundRational(18, 25)).toBe(1); // 0.72 (R-RED-4 example)
  });

  it('returns whole numbers unchanged', () => {
    expect(roundRational(0, 7)).toBe(0);
    expect(roundRational(44, 1)).toBe(44);
    expect(roundRational(132, 3)).toBe(44);
  });

  it('rounds negatives symmetrically (half away from zero), wherever the sign is', () => {
    expect(roundRational(-15, 2)).toBe(-8);
    expect(roundRational(15, -2)).toBe(-8);
    expect(roundRational(-15, -2)).toBe(8);
    expect(roundRational(-5, 3)).toBe(-2); // −1.67
    expect(roundRational(-4, 3)).toBe(-1); // −1.33
    expect(Object.is(roundRational(-1, 3), 0)).toBe(true); // never −0
  });

  it('is exact beyond floating-point precision', () => {
    const big = 2n ** 80n;
    expect(roundRational(big + 1n, big)).toBe(1);
    expect(roundRational(big - 1n, 2n * big)).toBe(0); // 0.5 − 2⁻⁸¹, floats would say 0.5
    expect(roundRational(big, 2n * big)).toBe(1);
  });

  it('refuses a zero denominator, non-integer or unsafe numbers, and results beyond safe integers', () => {
    expect(() => roundRational(1, 0)).toThrow(RangeError);
    expect(() => roundRational(1n, 0n)).toThrow(RangeError);
    expect(() => roundRational(7.5, 1)).toThrow(RangeError);
    expect(() => roundRational(1, 0.5)).toThrow(RangeError);
    expect(() => roundRational(Number.MAX_SAFE_INTEGER + 1, 1)).toThrow(RangeError);
    expect(() => roundRational(Number.NaN, 1)).toThrow(RangeError);
    expect(() => roundRational(2n ** 60n, 1n)).toThrow(RangeError);
  });

  it('matches a bigint reference for any rational (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), nonZero, (num, den) => {
        fc.pre(reference(num, den) <= BigInt(Number.MAX_SAFE_INTEGER) && reference(num, den) >= BigInt(Number.MIN_SAFE_INTEGER));
        expect(roundRational(num, den)).toBe(Number(reference(num, den)));
      }),
      { numRuns: 2000 },
    );
  });

  it('lands within half a unit, ties away from zero (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 10n ** 6n }), (num, den) => {
        const r = BigInt(roundRational(num, den));
        const twiceError = 2n * (num - r * den); // 2·(x − r)·den
        const abs = twiceError < 0n ? -twiceError : twiceError;
        expect(abs <= den).toBe(true);
        // On an exact tie the result is the one farther from zero.
        if (abs === den) expect(r < 0n ? -r * den : r * den).toBeGreaterThan(num < 0n ? -num : num);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with Math.round on small non-negative ratios, where floats are exact enough (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 1_000_000 }), (num, den) => {
        expect(roundRational(num, den)).toBe(Math.round(num / den));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseRational', () => {
  it('parses num/den and plain integers', () => {
    expect(parseRational('15/2')).toEqual({ num: 15n, den: 2n });
    expect(parseRational('2399/4800')).toEqual({ num: 2399n, den: 4800n });
    expect(parseRational('7')).toEqual({ num: 7n, den: 1n });
    expect(parseRational('-3/4')).toEqual({ num: -3n, den: 4n });
  });

  it('moves a negative denominator sign to the numerator', () => {
    expect(parseRational('3/-4')).toEqual({ num: -3n, den: 4n });
    expect(parseRational('-3/-4')).toEqual({ num: 3n, den: 4n });
  });

  it('keeps digits beyond float precision', () => {
    expect(parseRational('123456789012345678901234567890/3')).toEqual({ num: 123456789012345678901234567890n, den: 3n });
  });

  it('refuses malformed text and a zero denominator', () => {
    for (const bad of ['', '1.5', ' 1/2', '1/2 ', '1 / 2', '1/2/3', '/2', '1/', 'a/b', '0x10/1']) {
      expect(() => parseRational(bad), bad).toThrow(SyntaxError);
    }
    expect(() => parseRational('1/0')).toThrow(RangeError);
  });

  it('feeds roundRational: 15/2 → 8', () => {
    const r = parseRational('15/2');
    expect(roundRational(r.num, r.den)).toBe(8);
  });
});
