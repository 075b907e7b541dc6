/** @module Unit tests of codice fiscale validation (R-TPL-3): classes, omocodia, check letter. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLetter, validateCodiceFiscale } from '../../src/domain/codice-fiscale.ts';

const BASE = 'RSSMRA85T10A562'; // Mario Rossi, 10 Dec 1985, Roma: check letter S
const OMOCODIA_POSITIONS = [7, 8, 10, 11, 13, 14, 15]; // 1-based
const OMOCODIA = 'LMNPQRSTUV'; // 0 … 9

/** Replaces the 1-based position `pos` of `s` with `c`. */
const put = (s: string, pos: number, c: string) => s.slice(0, pos - 1) + c + s.slice(pos);

/** A whole code from its first 15 characters. */
const withCheck = (first15: string) => first15 + checkLetter(first15);

describe('checkLetter', () => {
  it('computes the check letter with the odd/even tables', () => {
    expect(checkLetter('RSSMRA85T10A562')).toBe('S');
    expect(checkLetter('BNCLRA90A41F205')).toBe('I');
    expect(checkLetter('VRDGPP56H10A662')).toBe('S');
    expect(checkLetter('CNTFLP70E12A662')).toBe('K');
    expect(checkLetter('MRNLCU83M05H501')).toBe('I');
    expect(checkLetter('RSSMRA85T10A56N')).toBe('H');
  });

  it('refuses input that is not 15 characters of A–Z, 0–9', () => {
    expect(() => checkLetter('RSSMRA85T10A56')).toThrow(RangeError);
    expect(() => checkLetter('RSSMRA85T10A5620')).toThrow(RangeError);
    expect(() => checkLetter('rssmra85t10a562')).toThrow(RangeError); // upper case only
    expect(() => checkLetter('RSSMRA85T10A56 ')).toThrow(RangeError);
  });
});

describe('validateCodiceFiscale (R-TPL-3)', () => {
  it('accepts a valid code and returns it', () => {
    expect(validateCodiceFiscale('RSSMRA85T10A562S')).toEqual({ ok: true, value: 'RSSMRA85T10A562S' });
  });

  it('is case-insensitive and returns upper case', () => {
    expect(validateCodiceFiscale('rssmra85t10a562s')).toEqual({ ok: true, value: 'RSSMRA85T10A562S' });
    expect(validateCodiceFiscale('RssMra85T10a562S')).toEqual({ ok: true, value: 'RSSMRA85T10A562S' });
  });

  it('reports empty input and a wrong length', () => {
    expect(validateCodiceFiscale('')).toEqual({ ok: false, code: 'empty' });
    expect(validateCodiceFiscale('RSSMRA85T10A562')).toEqual({ ok: false, code: 'length' });
    expect(validateCodiceFiscale('RSSMRA85T10A562SX')).toEqual({ ok: false, code: 'length' });
    expect(validateCodiceFiscale(' RSSMRA85T10A562S')).toEqual({ ok: false, code: 'length' }); // never trimmed
  });

  it('reports the first character out of its class, 1-based', () => {
    expect(validateCodiceFiscale('1SSMRA85T10A562S')).toEqual({ ok: false, code: 'character-class', position: 1 });
    expect(validateCodiceFiscale('RSS MRA85T10A562')).toEqual({ ok: false, code: 'character-class', position: 4 });
    expect(validateCodiceFiscale('RSSMRA8AT10A562S')).toEqual({ ok: false, code: 'character-class', position: 8 });
    expect(validateCodiceFiscale('RSSMRA859100A562')).toEqual({ ok: false, code: 'character-class', position: 9 });
    expect(validateCodiceFiscale('RSSMRA85T101562S')).toEqual({ ok: false, code: 'character-class', position: 12 });
    expect(validateCodiceFiscale('RSSMRA85T10A5620')).toEqual({ ok: false, code: 'character-class', position: 16 });
  });

  it('allows only the 12 month letters in position 9', () => {
    for (const m of 'ABCDEHLMPRST') expect(validateCodiceFiscale(withCheck(put(BASE, 9, m))).ok, m).toBe(true);
    for (const m of 'FGIJKNOQUVWXYZ') {
      expect(validateCodiceFiscale(withCheck(put(BASE, 9, m))), m).toEqual({ ok: false, code: 'character-class', position: 9 });
    }
  });

  it('refuses non-ASCII letters instead of upper-casing them into something else', () => {
    expect(validateCodiceFiscale('RSSMRÀ85T10A562S')).toEqual({ ok: false, code: 'character-class', position: 6 });
    expect(validateCodiceFiscale('RSSMRA85T10A562ß')).toEqual({ ok: false, code: 'character-class', position: 16 });
  });

  it('reports a wrong check letter at position 16', () => {
    expect(validateCodiceFiscale('RSSMRA85T10A562T')).toEqual({ ok: false, code: 'check-letter', position: 16 });
    for (const c of 'ABCDEFGHIJKLMNOPQRTUVWXYZ') {
      expect(validateCodiceFiscale(BASE + c), c).toEqual({ ok: false, code: 'check-letter', position: 16 });
    }
  });
});

describe('omocodia (R-TPL-3)', () => {
  it('accepts the vector example with 2 → N at position 15 and its own check letter', () => {
    expect(validateCodiceFiscale('RSSMRA85T10A56NH')).toEqual({ ok: true, value: 'RSSMRA85T10A56NH' });
    expect(validateCodiceFiscale('RSSMRA85T10A56NS').ok).toBe(false); // the original check letter no longer fits
  });

  it('accepts every combination of substituted digit positions', () => {
    for (let mask = 0; mask < 1 << OMOCODIA_POSITIONS.length; mask++) {
      let code = BASE;
      OMOCODIA_POSITIONS.forEach((pos, bit) => {
        if (mask & (1 << bit)) code = put(code, pos, OMOCODIA[Number(code[pos - 1])]!);
      });
      const full = withCheck(code);
      expect(validateCodiceFiscale(full), full).toEqual({ ok: true, value: full });
    }
  });

  it('refuses letters that are not omocodia substitutes in digit positions', () => {
    for (const pos of OMOCODIA_POSITIONS) {
      for (const c of 'ABCDEFGHIJKOWXYZ') {
        expect(validateCodiceFiscale(withCheck(put(BASE, pos, c))), `${c}@${pos}`).toEqual({
          ok: false,
          code: 'character-class',
          position: pos,
        });
      }
    }
  });

  it('refuses digits in letter positions (omocodia applies to digit positions only)', () => {
    for (const pos of [1, 2, 3, 4, 5, 6, 12]) {
      expect(validateCodiceFiscale(withCheck(put(BASE, pos, '5'))), `5@${pos}`).toEqual({
        ok: false,
        code: 'character-class',
        position: pos,
      });
    }
  });
});

describe('properties', () => {
  const letter = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
  const digitLike = fc.constantFrom(...'0123456789LMNPQRSTUV');
  const month = fc.constantFrom(...'ABCDEHLMPRST');
  const first15 = fc
    .tuple(
      fc.array(letter, { minLength: 6, maxLength: 6 }),
      fc.array(digitLike, { minLength: 2, maxLength: 2 }),
      month,
      fc.array(digitLike, { minLength: 2, maxLength: 2 }),
      letter,
      fc.array(digitLike, { minLength: 3, maxLength: 3 }),
    )
    .map(([a, b, c, d, e, f]) => [...a, ...b, c, ...d, e, ...f].join(''));

  it('accepts every well-formed code with its check letter, in any case', () => {
    fc.assert(
      fc.property(first15, fc.boolean(), (s, lower) => {
        const full = withCheck(s);
        expect(validateCodiceFiscale(lower ? full.toLowerCase() : full)).toEqual({ ok: true, value: full });
      }),
    );
  });

  it('detects any single substitution inside a position class', () => {
    fc.assert(
      fc.property(first15, fc.integer({ min: 1, max: 15 }), fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'), (s, pos, c) => {
        const full = withCheck(s);
        const changed = put(full, pos, c);
        fc.pre(changed !== full);
        const result = validateCodiceFiscale(changed);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(['character-class', 'check-letter']).toContain(result.code);
      }),
    );
  });
});
