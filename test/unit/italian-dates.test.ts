/**
 * @module Unit tests of Italian dates with their article (italian-dates.ts): the elision before 8
 * and 11, the ordinal `1°`, every article, the Rome calendar around midnight, and the page
 * formatters that share the rules.
 */
import { describe, expect, it } from 'vitest';
import { articledDate, dayNumber, italianDate, italianDateTime, withArticle, type Article } from '../../src/domain/italian-dates.ts';
import { italianDate as pageDate, italianDateTime as pageDateTime, italianDay } from '../../src/pages/format.ts';

/** Noon UTC of a March 2026 day: the same day in Rome. */
const march = (day: number) => Date.UTC(2026, 2, day, 12);

describe('dayNumber', () => {
  it('writes the first of the month as the ordinal 1°, every other day as its number', () => {
    expect([1, 2, 8, 11, 18, 21, 31].map(dayNumber)).toEqual(['1°', '2', '8', '11', '18', '21', '31']);
  });
});

describe('articledDate', () => {
  const cases: Record<Article, Record<number, string>> = {
    il: {
      1: 'il 1° marzo 2026',
      8: 'l’8 marzo 2026',
      11: 'l’11 marzo 2026',
      2: 'il 2 marzo 2026',
      18: 'il 18 marzo 2026',
      21: 'il 21 marzo 2026',
      31: 'il 31 marzo 2026',
    },
    dal: {
      1: 'dal 1° marzo 2026',
      8: 'dall’8 marzo 2026',
      11: 'dall’11 marzo 2026',
      2: 'dal 2 marzo 2026',
      18: 'dal 18 marzo 2026',
      21: 'dal 21 marzo 2026',
      31: 'dal 31 marzo 2026',
    },
    al: {
      1: 'al 1° marzo 2026',
      8: 'all’8 marzo 2026',
      11: 'all’11 marzo 2026',
      2: 'al 2 marzo 2026',
      18: 'al 18 marzo 2026',
      21: 'al 21 marzo 2026',
      31: 'al 31 marzo 2026',
    },
    del: {
      1: 'del 1° marzo 2026',
      8: 'dell’8 marzo 2026',
      11: 'dell’11 marzo 2026',
      2: 'del 2 marzo 2026',
      18: 'del 18 marzo 2026',
      21: 'del 21 marzo 2026',
      31: 'del 31 marzo 2026',
    },
    nel: {
      1: 'nel 1° marzo 2026',
      8: 'nell’8 marzo 2026',
      11: 'nell’11 marzo 2026',
      2: 'nel 2 marzo 2026',
      18: 'nel 18 marzo 2026',
      21: 'nel 21 marzo 2026',
      31: 'nel 31 marzo 2026',
    },
    sul: {
      1: 'sul 1° marzo 2026',
      8: 'sull’8 marzo 2026',
      11: 'sull’11 marzo 2026',
      2: 'sul 2 marzo 2026',
      18: 'sul 18 marzo 2026',
      21: 'sul 21 marzo 2026',
      31: 'sul 31 marzo 2026',
    },
  };
  for (const [article, days] of Object.entries(cases) as [Article, Record<number, string>][]) {
    it(`elides "${article}" before 8 and 11 only, and keeps 1°`, () => {
      for (const [day, text] of Object.entries(days)) expect(articledDate(article, march(Number(day)))).toBe(text);
    });
  }

  it('reads the day on the Rome calendar: 23:30 UTC on 7 March is 8 March in Rome', () => {
    const late = Date.parse('2026-03-07T23:30:00Z');
    expect(articledDate('il', late)).toBe('l’8 marzo 2026');
    expect(articledDate('il', new Date(late))).toBe('l’8 marzo 2026');
    // Summer time: 22:30 UTC on 31 July is 1 August in Rome.
    expect(articledDate('dal', Date.parse('2026-07-31T22:30:00Z'))).toBe('dal 1° agosto 2026');
    expect(articledDate('al', Date.parse('2026-10-10T22:30:00Z'))).toBe('all’11 ottobre 2026');
  });

  it('writes the ASCII apostrophe when asked (plain-text mails)', () => {
    expect(articledDate('del', march(8), { apostrophe: "'" })).toBe("dell'8 marzo 2026");
  });

  it('rejects an invalid instant', () => {
    expect(() => articledDate('il', Number.NaN)).toThrow(RangeError);
  });
});

describe('withArticle', () => {
  it('joins an article to any date text that starts with its day number', () => {
    expect(withArticle('il', '8 marzo 2026 alle 10:00')).toBe('l’8 marzo 2026 alle 10:00');
    expect(withArticle('al', '11 aprile 2026, ore 09:00')).toBe('all’11 aprile 2026, ore 09:00');
    expect(withArticle('il', '1° maggio 2026')).toBe('il 1° maggio 2026');
    expect(withArticle('dal', '18 maggio 2026')).toBe('dal 18 maggio 2026');
    expect(withArticle('al', '80 giorni')).toBe('al 80 giorni');
    expect(withArticle('il', '110')).toBe('il 110');
  });

  it('keeps a capitalised article capitalised', () => {
    expect(withArticle('Dal', '8 marzo 2026')).toBe('Dall’8 marzo 2026');
    expect(withArticle('Il', '11 marzo 2026')).toBe('L’11 marzo 2026');
    expect(withArticle('Dal', '2 marzo 2026')).toBe('Dal 2 marzo 2026');
  });

  it('leaves a text that is not a date as it was, after the article', () => {
    expect(withArticle('il', '—')).toBe('il —');
  });
});

describe('italianDate and italianDateTime', () => {
  it('write the bare date with 1° for the first and no article', () => {
    expect(italianDate(march(1))).toBe('1° marzo 2026');
    expect(italianDate(march(8))).toBe('8 marzo 2026');
    expect(italianDateTime(Date.parse('2026-03-11T08:05:00Z'))).toBe('11 marzo 2026, ore 09:05');
  });

  it('agree with the pages’ formatters, which use 1° too', () => {
    expect(pageDate(new Date(march(1)))).toBe('1° marzo 2026');
    expect(pageDate(new Date(march(8)))).toBe('8 marzo 2026');
    expect(pageDateTime(new Date('2026-03-07T23:30:00Z'))).toBe('8 marzo 2026 alle 00:30');
    expect(italianDay('2026-05-01')).toBe('1° maggio 2026');
    expect(withArticle('il', pageDateTime(new Date('2026-03-07T23:30:00Z')))).toBe('l’8 marzo 2026 alle 00:30');
  });
});
