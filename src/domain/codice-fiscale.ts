/** @module Codice fiscale syntax and check-letter validation, omocodia included (R-TPL-3). */

export type CodiceFiscaleError = 'empty' | 'length' | 'character-class' | 'check-letter';

export type CodiceFiscaleResult = { ok: true; value: string } | { ok: false; code: CodiceFiscaleError; position?: number };

const LENGTH = 16;

/**
 * What each of the 16 positions may hold (index 0 = position 1):
 * L letter, D digit or its omocodia letter, M month letter.
 */
const POSITION_CLASS = [
  'L',
  'L',
  'L',
  'L',
  'L',
  'L', // surname, name
  'D',
  'D', // year
  'M', // month
  'D',
  'D', // day (+40 for women)
  'L',
  'D',
  'D',
  'D', // municipality / foreign state
  'L', // check letter
] as const satisfies readonly ('L' | 'D' | 'M')[];

/** Month letters, January to December. */
const MONTH_LETTERS = 'ABCDEHLMPRST';

/** Omocodia: a digit replaced by a letter, 0 → L … 9 → V. */
const OMOCODIA_LETTERS = 'LMNPQRSTUV';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';

/** Value of a character in an odd (1-based) position, standard table. */
const ODD_VALUE: Readonly<Record<string, number>> = {
  '0': 1,
  '1': 0,
  '2': 5,
  '3': 7,
  '4': 9,
  '5': 13,
  '6': 15,
  '7': 17,
  '8': 19,
  '9': 21,
  A: 1,
  B: 0,
  C: 5,
  D: 7,
  E: 9,
  F: 13,
  G: 15,
  H: 17,
  I: 19,
  J: 21,
  K: 2,
  L: 4,
  M: 18,
  N: 20,
  O: 11,
  P: 3,
  Q: 6,
  R: 8,
  S: 12,
  T: 14,
  U: 16,
  V: 10,
  W: 22,
  X: 25,
  Y: 24,
  Z: 23,
};

/** Value of a character in an even (1-based) position, standard table. */
const EVEN_VALUE: Readonly<Record<string, number>> = {
  '0': 0,
  '1': 1,
  '2': 2,
  '3': 3,
  '4': 4,
  '5': 5,
  '6': 6,
  '7': 7,
  '8': 8,
  '9': 9,
  A: 0,
  B: 1,
  C: 2,
  D: 3,
  E: 4,
  F: 5,
  G: 6,
  H: 7,
  I: 8,
  J: 9,
  K: 10,
  L: 11,
  M: 12,
  N: 13,
  O: 14,
  P: 15,
  Q: 16,
  R: 17,
  S: 18,
  T: 19,
  U: 20,
  V: 21,
  W: 22,
  X: 23,
  Y: 24,
  Z: 25,
};

const ALLOWED: Readonly<Record<'L' | 'D' | 'M', string>> = {
  L: LETTERS,
  D: DIGITS + OMOCODIA_LETTERS,
  M: MONTH_LETTERS,
};

/**
 * The check letter of the first 15 characters (upper case). Throws `RangeError` when the input
 * is not 15 characters of A–Z / 0–9.
 *
 * @example checkLetter('RSSMRA85T10A562') // → 'S'
 */
export function checkLetter(first15: string): string {
  if (first15.length !== LENGTH - 1) throw new RangeError(`expected 15 characters, got ${first15.length}`);
  let sum = 0;
  for (let i = 0; i < first15.length; i++) {
    const c = first15[i]!;
    // Position i + 1 is odd when i is even.
    const v = (i % 2 === 0 ? ODD_VALUE : EVEN_VALUE)[c];
    if (v === undefined) throw new RangeError(`invalid character ${JSON.stringify(c)} at position ${i + 1}`);
    sum += v;
  }
  return LETTERS[sum % 26]!;
}

/**
 * Validates a codice fiscale (R-TPL-3): 16 characters, each of its position's class, omocodia
 * letters allowed in the digit positions 7, 8, 10, 11, 13, 14, 15, and the right check letter.
 * Input is case-insensitive; the value returned is upper case. Nothing is trimmed: a stray space
 * is a character-class error the organiser should see. `position` is 1-based.
 *
 * @example validateCodiceFiscale('rssmra85t10a562s') // → { ok: true, value: 'RSSMRA85T10A562S' }
 */
export function validateCodiceFiscale(input: string): CodiceFiscaleResult {
  if (input.length === 0) return { ok: false, code: 'empty' };
  if (input.length !== LENGTH) return { ok: false, code: 'length' };
  // ASCII-only upper-casing: String#toUpperCase could turn one character into two ('ß' → 'SS').
  const value = input.replace(/[a-z]/g, (c) => c.toUpperCase());
  for (let i = 0; i < LENGTH; i++) {
    const cls = POSITION_CLASS[i]!;
    if (!ALLOWED[cls].includes(value[i]!)) return { ok: false, code: 'character-class', position: i + 1 };
  }
  if (checkLetter(value.slice(0, LENGTH - 1)) !== value[LENGTH - 1]) {
    return { ok: false, code: 'check-letter', position: LENGTH };
  }
  return { ok: true, value };
}
