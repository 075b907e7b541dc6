/** @module Exact rational numbers and the whole-number rounding of credit amounts (R-CAL-4). */

/** An exact rational `num / den`; `den` is never 0 (and positive once normalised). */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

const RATIONAL_TEXT = /^([+-]?\d+)(?:\/([+-]?\d+))?$/;

/**
 * Parses `"num/den"` or a plain integer `"num"` into an exact rational, sign on the denominator
 * moved to the numerator. Throws `SyntaxError` on anything else (spaces, decimals) and
 * `RangeError` for a zero denominator.
 *
 * @example parseRational('15/2') // → { num: 15n, den: 2n }
 */
export function parseRational(text: string): Rational {
  const m = RATIONAL_TEXT.exec(text);
  if (!m) throw new SyntaxError(`not a rational "num/den": ${JSON.stringify(text)}`);
  return normalise(BigInt(m[1]!), BigInt(m[2] ?? '1'));
}

/**
 * Rounds `num / den` to a whole number (R-CAL-4): a fraction ≥ 0.5 goes up, a smaller one down,
 * computed on integers so that 50 × 12 × 30 / (24 × 100) = 7.5 gives 8 (binary floating point
 * would not guarantee that for every amount).
 *
 * Negative values round symmetrically (half away from zero: −7.5 → −8), so that
 * `roundRational(-n, d) === -roundRational(n, d)` and a deduction rounds like the credit it undoes.
 *
 * Number arguments must be safe integers (a non-integer would already be inexact); the result
 * must fit a safe integer. Both violations, and `den = 0`, throw `RangeError`.
 *
 * @example roundRational(50 * 12 * 30, 24 * 100) // → 8
 *
 * @rule R-CAL-4
 */
export function roundRational(num: bigint | number, den: bigint | number): number {
  const r = normalise(toBigInt(num, 'num'), toBigInt(den, 'den'));
  const negative = r.num < 0n;
  const n = negative ? -r.num : r.num;
  const q = n / r.den;
  const rest = n % r.den;
  // R-CAL-4: fraction rest/den ≥ 1/2 ⇔ 2·rest ≥ den, decided without division.
  const magnitude = 2n * rest >= r.den ? q + 1n : q;
  const rounded = negative ? -magnitude : magnitude;
  if (rounded > BigInt(Number.MAX_SAFE_INTEGER) || rounded < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`rounded value ${rounded} does not fit a safe integer`);
  }
  return Number(rounded);
}

function toBigInt(x: bigint | number, what: string): bigint {
  if (typeof x === 'bigint') return x;
  if (!Number.isSafeInteger(x)) throw new RangeError(`${what} must be a safe integer, got ${x}`);
  return BigInt(x);
}

function normalise(num: bigint, den: bigint): Rational {
  if (den === 0n) throw new RangeError('denominator must not be 0');
  return den < 0n ? { num: -num, den: -den } : { num, den };
}
